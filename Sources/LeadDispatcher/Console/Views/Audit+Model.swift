import Foundation
import LeadStore

/// `/console/audit`: the audit log with the API's filters (type, entity, time) in the query string,
/// newest first, page by page; and `/console/audit/verify`: the chain recomputed, with the newest hash
/// to keep somewhere the database's writers cannot reach.
struct AuditPage {
    struct Filter {
        let name: String
        let label: String
        let value: String
    }

    struct Row {
        let id: String
        let at: String
        let type: String
        let actor: String
        let entity: String
        let entityLink: String?
    }

    let chrome: ConsoleChrome
    let filters: [Filter]
    let message: String?
    let rows: [Row]
    let hasRows: Bool
    let nextPage: String?

    static let filterNames: [(name: String, label: String)] = [
        ("type", "Type (agent.updated, lead.routed, …)"), ("actor", "Actor (id or name)"), ("entity_type", "Entity type"),
        ("entity_id", "Entity id"),
        ("since", "Since (RFC 3339)"), ("until", "Until (RFC 3339)"),
    ]

    init(chrome: ConsoleChrome, parameters: [String: String], message: String?, events: [AuditEventView], nextCursor: String?) {
        self.chrome = chrome
        filters = Self.filterNames.map { Filter(name: $0.name, label: $0.label, value: parameters[$0.name] ?? "") }
        self.message = message
        rows = events.map { event in
            let id = event.entityID ?? ""
            return Row(id: event.id, at: event.at, type: event.type, actor: "\(event.actor.name) (\(event.actor.kind.rawValue))",
                       entity: id.isEmpty ? event.entityKind : "\(event.entityKind) \(id)",
                       entityLink: event.entityKind == "lead" && !id.isEmpty ? "/console/leads/\(ConsoleForm.percentEncoded(id))"
                           : id.isEmpty ? nil
                           : "/console/audit?" + LeadsPage.query(["entity_type": event.entityKind, "entity_id": id]))
        }
        hasRows = !rows.isEmpty
        var filtersOnly = parameters
        filtersOnly["cursor"] = nil
        nextPage = nextCursor.map { "/console/audit?" + LeadsPage.query(filtersOnly.merging(["cursor": $0]) { $1 }) }
    }
}

/// `/console/audit/verify`.
struct VerifyPage {
    let chrome: ConsoleChrome
    let ok: Bool
    let checked: Int
    let firstBrokenID: String?
    let problem: String?
    let newestID: String?
    let newestHash: String?
}
