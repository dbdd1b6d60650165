import Foundation
import LeadPolicy
import LeadStore

/// `/console/versions`: every policy version, who made it and when.
struct VersionsPage {
    struct Row {
        let version: Int
        let createdAt: String
        let actor: String
    }

    let chrome: ConsoleChrome
    let rows: [Row]
    let hasRows: Bool

    init(chrome: ConsoleChrome, versions: [PolicyVersionView]) {
        self.chrome = chrome
        rows = versions.map { Row(version: $0.version, createdAt: $0.createdAt, actor: "\($0.actor.name) (\($0.actor.kind.rawValue))") }
        hasRows = !rows.isEmpty
    }
}

/// `/console/versions/{N}`: what changed from the version before, entity by entity and field by field.
struct VersionPage {
    struct Change {
        let kind: String
        let id: String
        let what: String
        let fields: [Field]
        let hasFields: Bool
    }

    struct Field {
        let name: String
        let before: String
        let after: String
    }

    let chrome: ConsoleChrome
    let version: Int
    let createdAt: String
    let actor: String
    let previous: Int?
    let changes: [Change]
    let hasChanges: Bool
    let counts: String
    /// Admins may put an earlier version back in force.
    let restorable: Bool
    let isCurrent: Bool
    let notice: String?

    init(chrome: ConsoleChrome, version: PolicyVersion, document: JSONValue, previous: (Int, JSONValue)?, current: Bool = false,
         notice: String? = nil) {
        self.chrome = chrome
        restorable = chrome.isAdmin && !current
        isCurrent = current
        self.notice = notice
        self.version = version.version
        createdAt = version.createdAt
        actor = "\(version.actor.name) (\(version.actor.kind.rawValue))"
        self.previous = previous?.0
        changes = Self.changes(from: previous?.1 ?? .object([:]), to: document)
        hasChanges = !changes.isEmpty
        let sizes = PolicyDocument.requiredArrays.map { kind in "\(Self.items(document, kind).count) \(kind)" }
        counts = sizes.joined(separator: ", ")
    }

    static func items(_ document: JSONValue, _ kind: String) -> [(id: String, fields: [String: JSONValue])] {
        guard case .array(let items)? = document.objectValue?[kind] else { return [] }
        return items.compactMap { item in
            guard let fields = item.objectValue, let id = fields["id"]?.stringValue else { return nil }
            return (id, fields)
        }
    }

    /// Entities added, removed and changed, in the document's order of kinds; a changed one lists its
    /// fields before and after (keys masked, as versions keep them).
    static func changes(from old: JSONValue, to new: JSONValue) -> [Change] {
        var changes: [Change] = []
        for kind in PolicyDocument.requiredArrays {
            let before = Dictionary(items(old, kind).map { ($0.id, $0.fields) }, uniquingKeysWith: { first, _ in first })
            let after = items(new, kind)
            let afterIDs = Set(after.map(\.id))
            for (id, fields) in after {
                guard let previous = before[id] else {
                    changes.append(Change(kind: kind, id: id, what: "added", fields: [], hasFields: false))
                    continue
                }
                let names = Set(previous.keys).union(fields.keys).sorted()
                let changed = names.filter { previous[$0] != fields[$0] }.map { name in
                    Field(name: name, before: previous[name].map(text) ?? "—", after: fields[name].map(text) ?? "—")
                }
                if !changed.isEmpty { changes.append(Change(kind: kind, id: id, what: "changed", fields: changed, hasFields: true)) }
            }
            for (id, _) in items(old, kind) where !afterIDs.contains(id) {
                changes.append(Change(kind: kind, id: id, what: "removed", fields: [], hasFields: false))
            }
        }
        return changes
    }

    static func text(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        guard let data = try? JSONEncoder.sorted.encode(value) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONEncoder {
    /// Keys sorted, slashes as they are: for showing a value to a person.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
