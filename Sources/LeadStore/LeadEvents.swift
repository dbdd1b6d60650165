import Foundation
import LeadPolicy

/// The audit events of a lead's life. They name the lead, never its contact fields, so erasing those
/// fields later (retention) leaves the chain intact.
package enum LeadEvents {
    package static func decided(_ id: String, vendorID: String, decision: Decision, status: LeadStatus, policyVersion: Int?) -> [NewAuditEvent] {
        // Written as `AuditLog.text` writes the same documents (keys sorted), without building them
        // as dictionaries first: these two events are half of what each lead adds to the chain.
        var received = JSONText(capacity: 32)
        received.object { $0.string("vendor_id", vendorID) }
        var routed = JSONText(capacity: 160)
        routed.object { members in
            members.key("policy_version") { text in if let policyVersion { text.int(policyVersion) } else { text.raw("null") } }
            members.key("rule_id") { $0.optionalString(decision.ruleID) }
            members.string("status", status.rawValue)
            members.key("target") { text in
                guard let target = decision.target else { return text.raw("null") }
                text.object { members in
                    members.string("account_id", target.accountID)
                    members.stringIfPresent("agent_id", target.agentID)
                    members.string("kind", target.kind)
                }
            }
        }
        return [
            NewAuditEvent(type: "lead.received", entityKind: "lead", entityID: id, afterText: received.text),
            NewAuditEvent(type: status == .unrouted ? "lead.unrouted" : "lead.routed", entityKind: "lead", entityID: id, afterText: routed.text),
        ]
    }

    package static func attempted(_ id: String, attempt: DeliveryAttempt, outcome: DeliveryOutcome) -> [NewAuditEvent] {
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
