import Foundation
import LeadPolicy
import LeadStore

/// The filter body of `POST /v1/leads/redeliver` and `/v1/leads/reroute` (and the console's recovery
/// form): which leads, and whether to change them or only count them. Each refusal names its field.
struct LeadRecoveryFilter {
    enum Action: String {
        case redeliver, reroute

        var statuses: [LeadStatus] {
            switch self {
            case .redeliver: BulkRecovery.redeliverable
            case .reroute: BulkRecovery.reroutable
            }
        }
    }

    static let fields: Set<String> = ["status", "since", "until", "agent_id", "account_id", "vendor_id", "campaign_id", "rule_id",
                                      "lead_ids", "dry_run"]
    static let maxLeadIDs = 1000

    var query: LeadQuery
    /// The filter as given (without `dry_run`), for the audit event.
    var filter: JSONValue
    var dryRun: Bool

    static func parse(_ body: [String: JSONValue], for action: Action) throws -> LeadRecoveryFilter {
        if let unknown = body.keys.sorted().first(where: { !fields.contains($0) }) {
            throw APIError.badRequest("\(unknown): is not a filter; use \(fields.sorted().joined(separator: ", "))", field: unknown)
        }
        func string(_ name: String) throws -> String? {
            switch body[name] {
            case nil, .null?: return nil
            case .string(let text)?:
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.isEmpty ? nil : trimmed
            case let other?: throw APIError.badRequest("\(name): must be a string, not \(other.kindName)", field: name)
            }
        }
        var query = LeadQuery(agentID: try string("agent_id"), accountID: try string("account_id"), campaignID: try string("campaign_id"),
                              ruleID: try string("rule_id"), vendorID: try string("vendor_id"))
        let allowed = action.statuses.map(\.rawValue)
        let status = try string("status") ?? LeadStatus.dead.rawValue
        guard let parsed = LeadStatus(rawValue: status), action.statuses.contains(parsed) else {
            throw APIError.badRequest("status: a \(action.rawValue) takes leads that are \(allowed.joined(separator: " or ")) (default dead)", field: "status")
        }
        query.status = parsed
        query.since = try LeadQueryParameters.time(try string("since"), "since")
        query.until = try LeadQueryParameters.time(try string("until"), "until")
        if let since = query.since, let until = query.until, until <= since {
            throw APIError.badRequest("until: must be later than since", field: "until")
        }
        switch body["lead_ids"] {
        case nil, .null?: break
        case .array(let values)?:
            guard (1...maxLeadIDs).contains(values.count) else {
                throw APIError.badRequest("lead_ids: must list 1 to \(maxLeadIDs) lead ids", field: "lead_ids")
            }
            query.leadIDs = try values.enumerated().map { index, value in
                guard case .string(let id) = value, id.hasPrefix("ld_"), id.count <= 64 else {
                    throw APIError.badRequest("lead_ids[\(index)]: must be a lead id (ld_…)", field: "lead_ids[\(index)]")
                }
                return id
            }
        case let other?:
            throw APIError.badRequest("lead_ids: must be an array of lead ids, not \(other.kindName)", field: "lead_ids")
        }
        var dryRun = false
        switch body["dry_run"] {
        case nil, .null?: break
        case .bool(let value)?: dryRun = value
        case let other?: throw APIError.badRequest("dry_run: must be true or false, not \(other.kindName)", field: "dry_run")
        }
        var filter = body.filter { $0.key != "dry_run" && $0.value != .null }
        filter["status"] = .string(parsed.rawValue)
        return LeadRecoveryFilter(query: query, filter: .object(filter), dryRun: dryRun)
    }
}
