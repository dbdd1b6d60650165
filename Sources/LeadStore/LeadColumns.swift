import Foundation
import LeadPolicy

/// How a lead's columns read back, the same on every database.
package enum LeadColumns {
    /// A lead's stored fields (`fields_json`, a JSON object).
    package static func fields(_ text: String) throws -> [String: JSONValue] {
        guard case .object(let fields) = try JSONParser.parse(text.utf8) else {
            throw StoreError.conflict("a stored lead's fields are not a JSON object")
        }
        return fields
    }

    /// A lead's stored tags (`tags_json`, an array of strings). Read for every row of an audit page or
    /// CSV export: `JSONDecoder` took several microseconds a row.
    package static func tags(_ text: String) throws -> [String] {
        guard case .array(let values) = try JSONParser.parse(text.utf8) else {
            throw StoreError.conflict("a stored lead's tags are not a JSON array")
        }
        return try values.map { value in
            guard let tag = value.stringValue else { throw StoreError.conflict("a stored lead's tag is not a string") }
            return tag
        }
    }

    package static func target(kind: String?, agentID: String?, accountID: String?) -> Target? {
        switch (kind, agentID, accountID) {
        case ("agent", let agentID?, let accountID?): .agent(agentID: agentID, accountID: accountID)
        case ("admin", _, let accountID?): .admin(accountID: accountID)
        default: nil
        }
    }

    /// A duplicate's decision: kept for the record, never routed.
    package static func duplicateDecision(of first: String) -> Decision {
        Decision(ruleID: nil, via: nil, target: nil, explanation: .duplicate(of: first))
    }

    /// The routing state in full, as text (`JSONText.state`), read back by `RoutingState`'s decoder.
    package static func text(_ state: RoutingState) -> String {
        var text = JSONText(capacity: 1024)
        text.state(state)
        return text.text
    }
}
