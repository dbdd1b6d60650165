import Foundation
import LeadPolicy
import LeadStore

/// A lead as the audit API lists it (`GET /v1/leads`) and the console's search shows it: one typed view
/// for both, so that a page never re-derives what the API says.
struct LeadItemView {
    let leadID: String
    let receivedAt: String
    let vendorID: String
    let email: String?
    let campaignID: String?
    let tags: [String]
    let ruleID: String?
    let target: Target?
    let status: LeadStatus
    let attempts: Int
    let updatedAt: String

    init(_ lead: LeadSummary) {
        leadID = lead.id
        receivedAt = lead.receivedAt
        vendorID = lead.vendorID
        email = lead.email
        campaignID = lead.campaignID
        tags = lead.tags
        ruleID = lead.ruleID
        target = lead.target
        status = lead.status
        attempts = lead.attempts
        updatedAt = lead.updatedAt
    }

    /// The API's item: every key present, `null` for what is absent.
    var json: [String: JSONValue] {
        [
            "lead_id": .string(leadID),
            "received_at": .string(receivedAt),
            "vendor_id": .string(vendorID),
            "email": email.map(JSONValue.string) ?? .null,
            "campaign_id": campaignID.map(JSONValue.string) ?? .null,
            "tags": .array(tags.map(JSONValue.string)),
            "rule_id": ruleID.map(JSONValue.string) ?? .null,
            "target": (try? target.map { try JSONValue(encoding: $0) }) ?? .null,
            "status": .string(status.rawValue),
            "attempts": .number(Double(attempts)),
            "updated_at": .string(updatedAt),
        ]
    }
}

/// One delivery attempt, as the API and the lead's page show it.
struct DeliveryAttemptView {
    let at: String
    let httpStatus: Int?
    let crmSuccess: Bool?
    let error: String?
    let durationMS: Int
    let responseBody: String?
    let detail: String?

    init(_ attempt: DeliveryAttempt) {
        at = attempt.at
        httpStatus = attempt.httpStatus
        crmSuccess = attempt.crmSuccess
        error = attempt.error
        durationMS = attempt.durationMS
        responseBody = attempt.responseBody
        detail = attempt.detail
    }

    var json: JSONValue {
        .object([
            "at": .string(at),
            "http_status": httpStatus.map { .number(Double($0)) } ?? .null,
            "crm_success": crmSuccess.map(JSONValue.bool) ?? .null,
            "error": error.map(JSONValue.string) ?? .null,
            "duration_ms": .number(Double(durationMS)),
            "response_body": responseBody.map(JSONValue.string) ?? .null,
            "detail": detail.map(JSONValue.string) ?? .null,
        ])
    }
}

/// A whole lead (`GET /v1/leads/{id}`, the console's lead page): the item, the fields as received, the
/// decision with its explanation, the policy version and the state it read, and every attempt.
struct LeadDetailView {
    let item: LeadItemView
    let fields: [String: JSONValue]
    let decision: Decision
    let policyVersion: Int?
    let state: RoutingState?
    let attempts: [DeliveryAttemptView]

    init(_ lead: StoredLead) {
        item = LeadItemView(lead.summary)
        fields = lead.fields
        decision = lead.decision
        policyVersion = lead.policyVersion
        state = lead.state
        attempts = lead.deliveryAttempts.map(DeliveryAttemptView.init)
    }

    func json() throws -> JSONValue {
        var body = item.json
        body["fields"] = .object(fields)
        guard case .object(var decision) = try JSONValue(encoding: decision) else { throw APIError(.internalServerError, "decision") }
        decision["policy_version"] = policyVersion.map { JSONValue.number(Double($0)) } ?? .null
        decision["state"] = try state.map { try JSONValue(encoding: $0) } ?? .null
        body["decision"] = .object(decision)
        body["delivery_attempts"] = .array(attempts.map(\.json))
        return .object(body)
    }
}
