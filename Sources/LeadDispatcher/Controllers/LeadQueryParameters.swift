import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// The audit filters of `GET /v1/leads` and `/v1/leads.csv`, read from the query string, each refusal
/// naming the parameter.
enum LeadQueryParameters {
    static let known: Set<String> = ["email", "agent_id", "account_id", "campaign_id", "rule_id", "vendor_id", "status",
                                     "since", "until", "limit", "cursor"]

    static func parse(_ parameters: Parameters, limitDefault: Int = 50, limitMax: Int = 500) throws -> LeadQuery {
        if let unknown = parameters.map({ String($0.key) }).sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("\(unknown): is not a filter; use \(known.sorted().joined(separator: ", "))", field: unknown)
        }
        func value(_ name: String) -> String? {
            parameters[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        }
        var query = LeadQuery(email: value("email"), agentID: value("agent_id"), accountID: value("account_id"),
                              campaignID: value("campaign_id"), ruleID: value("rule_id"), vendorID: value("vendor_id"))
        if let status = value("status") {
            guard let parsed = LeadStatus(rawValue: status) else {
                throw APIError.badRequest("status: must be one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", "))", field: "status")
            }
            query.status = parsed
        }
        query.since = try time(value("since"), "since")
        query.until = try time(value("until"), "until")
        query.limit = try QueryValue.limit(value("limit"), default: limitDefault, max: limitMax)
        if let cursor = value("cursor") {
            guard let parsed = LeadCursor(token: cursor) else {
                throw APIError.badRequest("cursor: is not a cursor this API issued", field: "cursor")
            }
            query.after = parsed
        }
        return query
    }

    static func time(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw APIError.badRequest("\(name): must be an RFC 3339 time such as 2026-12-01T09:00:00Z", field: name)
        }
        return date
    }
}
