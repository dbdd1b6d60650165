import Foundation
import LeadPolicy

/// Writes the JSON documents stored with every lead (its fields, decision and routing state) and the
/// audit log's canonical text, straight into bytes.
///
/// Foundation's `JSONEncoder` was almost half of the CPU a lead costs inside the write transaction
/// (the one writer is the ingest ceiling). The output is what `JSONEncoder` writes for the same values
/// with `.withoutEscapingSlashes` (or without it, for the audit chain's canonical form), which the
/// tests check, so every reader decodes it with the `Codable` conformances as before.
struct JSONText {
    private(set) var bytes: [UInt8] = []
    /// `JSONEncoder` escapes `/` as `\/` unless told not to; the audit chain's canonical form keeps
    /// that escape, since hashes already recorded depend on it.
    let escapesSlashes: Bool

    init(escapesSlashes: Bool = false, capacity: Int = 512) {
        self.escapesSlashes = escapesSlashes
        bytes.reserveCapacity(capacity)
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func raw(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole.
        let escapesSlashes = self.escapesSlashes
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || ($0 == UInt8(ascii: "/") && escapesSlashes) }) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw(#"\""#)
            case UInt8(ascii: "\\"): raw(#"\\"#)
            case UInt8(ascii: "/") where escapesSlashes: raw(#"\/"#)
            case 0x08: raw(#"\b"#)
            case 0x0C: raw(#"\f"#)
            case 0x0A: raw(#"\n"#)
            case 0x0D: raw(#"\r"#)
            case 0x09: raw(#"\t"#)
            case 0..<0x20:
                raw(#"\u00"#)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func double(_ value: Double) {
        // Swift's shortest round-trip form, as JSONEncoder writes it ("1.5", "1e-07").
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// `{"key": …, …}`: `body` writes the members through the `Members` it is given.
    mutating func object(_ body: (inout Members) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var members = Members(text: self)
        bytes = []
        body(&members)
        self = members.text
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func array<Element>(_ elements: some Sequence<Element>, _ write: (inout JSONText, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            write(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The members of one object, written in the order given.
    struct Members {
        fileprivate var text: JSONText
        private var first = true

        fileprivate init(text: JSONText) {
            self.text = text
        }

        /// Starts a member and returns the writer for its value.
        mutating func key(_ name: String, _ value: (inout JSONText) -> Void) {
            if !first { text.bytes.append(UInt8(ascii: ",")) }
            first = false
            text.string(name)
            text.bytes.append(UInt8(ascii: ":"))
            value(&text)
        }

        mutating func string(_ name: String, _ value: String) { key(name) { $0.string(value) } }
        mutating func int(_ name: String, _ value: Int) { key(name) { $0.int(value) } }

        /// Written only when present, as `encodeIfPresent` does.
        mutating func stringIfPresent(_ name: String, _ value: String?) {
            if let value { string(name, value) }
        }
    }
}

extension JSONText {
    /// A `JSONValue` as its `Codable` form writes it; object keys sorted by their UTF-8 bytes, as
    /// `.sortedKeys` does, when `sortingKeys` is set.
    mutating func value(_ value: JSONValue, sortingKeys: Bool) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): bool(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { bytes.append(contentsOf: String(Int64(number)).utf8) } else { double(number) }
        case .string(let string): self.string(string)
        case .array(let items): array(items) { $0.value($1, sortingKeys: sortingKeys) }
        case .object(let members):
            let keys = sortingKeys ? members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } : Array(members.keys)
            object { writer in
                for key in keys {
                    writer.key(key) { $0.value(members[key]!, sortingKeys: sortingKeys) }
                }
            }
        }
    }

    mutating func target(_ target: Target) {
        object { members in
            members.string("kind", target.kind)
            members.stringIfPresent("agent_id", target.agentID)
            members.string("account_id", target.accountID)
        }
    }

    mutating func action(_ action: RuleAction) {
        object { members in
            members.string("type", action.typeName)
            switch action {
            case .agent(let agentID): members.string("agent_id", agentID)
            case .pool(let poolID): members.string("pool_id", poolID)
            case .crmRoundRobin(let accountID): members.string("account_id", accountID)
            }
        }
    }

    mutating func decision(_ decision: Decision) {
        object { members in
            members.stringIfPresent("rule_id", decision.ruleID)
            members.stringIfPresent("via", decision.via)
            if let target = decision.target { members.key("target") { $0.target(target) } }
            members.key("explanation") { $0.explanation(decision.explanation) }
        }
    }

    mutating func explanation(_ explanation: Explanation) {
        object { members in
            members.string("summary", explanation.summary)
            members.key("rules") { text in
                text.array(explanation.rules) { text, check in
                    text.object { members in
                        members.string("rule_id", check.ruleID)
                        members.int("priority", check.priority)
                        members.string("result", check.result.rawValue)
                        members.string("reason", check.reason)
                    }
                }
            }
            members.key("steps") { text in
                text.array(explanation.steps) { $0.step($1) }
            }
        }
    }

    mutating func step(_ step: ActionStep) {
        object { members in
            members.string("via", step.via)
            members.key("action") { $0.action(step.action) }
            if let target = step.target { members.key("target") { $0.target(target) } }
            members.key("skipped") { text in
                text.array(step.skipped) { text, skip in
                    text.object { members in
                        members.string("agent_id", skip.agentID)
                        members.string("reason", skip.reason.rawValue)
                        members.string("detail", skip.detail)
                    }
                }
            }
            if let eligible = step.eligible {
                members.key("eligible") { text in
                    text.array(eligible) { text, agent in
                        text.object { members in
                            members.string("agent_id", agent.agentID)
                            members.int("weight", agent.weight)
                        }
                    }
                }
            }
            if let sticky = step.sticky { members.key("sticky") { $0.bool(sticky) } }
            members.string("note", step.note)
        }
    }

    mutating func state(_ state: RoutingState) {
        object { members in
            members.key("rotations") { text in
                text.object { pools in
                    for (poolID, rotation) in state.rotations {
                        pools.key(poolID) { text in
                            text.object { members in
                                members.key("current") { text in
                                    text.object { agents in
                                        for (agentID, current) in rotation.current { agents.int(agentID, current) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            members.key("leads_today") { text in
                text.object { agents in
                    for (agentID, count) in state.leadsToday { agents.int(agentID, count) }
                }
            }
            members.key("previous_assignments") { text in
                text.array(state.previousAssignments) { text, previous in
                    text.object { members in
                        members.string("agent_id", previous.agentID)
                        // Dates as JSONEncoder's default strategy writes them: seconds since 2001.
                        members.key("at") { $0.double(previous.at.timeIntervalSinceReferenceDate) }
                    }
                }
            }
            members.key("now") { $0.double(state.now.timeIntervalSinceReferenceDate) }
        }
    }
}
