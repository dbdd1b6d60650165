import Foundation
import LeadPolicy

/// The audit events of a lead's life. They name the lead, never its contact fields, so erasing those
/// fields later (retention) leaves the chain intact.
enum LeadEvents {
    static func decided(_ id: String, vendorID: String, decision: Decision, status: LeadStatus, policyVersion: Int?) -> [NewAuditEvent] {
        var routed: [String: JSONValue] = [
            "status": .string(status.rawValue),
            "rule_id": decision.ruleID.map(JSONValue.string) ?? .null,
            "policy_version": policyVersion.map { .number(Double($0)) } ?? .null,
        ]
        routed["target"] = decision.target.map(Self.json) ?? .null
        return [
            NewAuditEvent(type: "lead.received", entityKind: "lead", entityID: id, after: .object(["vendor_id": .string(vendorID)])),
            NewAuditEvent(type: status == .unrouted ? "lead.unrouted" : "lead.routed", entityKind: "lead", entityID: id, after: .object(routed)),
        ]
    }

    /// A target as its `Codable` form writes it, built directly (this runs for every lead).
    static func json(_ target: Target) -> JSONValue {
        var object: [String: JSONValue] = ["kind": .string(target.kind), "account_id": .string(target.accountID)]
        if let agentID = target.agentID { object["agent_id"] = .string(agentID) }
        return .object(object)
    }

    static func attempted(_ id: String, attempt: DeliveryAttempt, outcome: DeliveryOutcome) -> [NewAuditEvent] {
        var events = [NewAuditEvent(type: "lead.attempted", entityKind: "lead", entityID: id, after: .object([
            "http_status": attempt.httpStatus.map { .number(Double($0)) } ?? .null,
            "crm_success": attempt.crmSuccess.map(JSONValue.bool) ?? .null,
            "error": attempt.error.map(JSONValue.string) ?? .null,
            "duration_ms": .number(Double(attempt.durationMS)),
        ]))]
        switch outcome {
        case .delivered: events.append(NewAuditEvent(type: "lead.delivered", entityKind: "lead", entityID: id))
        case .dead: events.append(NewAuditEvent(type: "lead.dead", entityKind: "lead", entityID: id))
        case .retry: break
        }
        return events
    }
}
