import Foundation
import LeadPolicy

/// What a bulk redeliver or reroute did (or, for a dry run, would do).
public struct BulkRecoveryResult: Sendable, Equatable {
    /// Leads the filter matched.
    public var matched: Int
    /// Leads queued for delivery again: every match of a redeliver; the matches of a reroute that a
    /// rule now sends somewhere.
    public var changed: Int
    /// Reroute only: matches that the current policy still routes nowhere (kept, status `unrouted`).
    public var unrouted: Int
    /// The first few matches, oldest first, as they were before the change.
    public var sample: [LeadSummary]

    public init(matched: Int = 0, changed: Int = 0, unrouted: Int = 0, sample: [LeadSummary] = []) {
        self.matched = matched
        self.changed = changed
        self.unrouted = unrouted
        self.sample = sample
    }

    public static let sampleSize = 10
}

/// The statuses each bulk action may touch: a redeliver sends again what a CRM refused or could not
/// take; a reroute decides again what went nowhere or died at its target.
public enum BulkRecovery {
    public static let redeliverable: [LeadStatus] = [.dead, .retrying]
    public static let reroutable: [LeadStatus] = [.dead, .unrouted]
    /// Leads changed per write transaction, so that recovering a long outage never holds the writer
    /// (and the vendors' leads waiting on it) for more than a few milliseconds at a time.
    public static let batchSize = 500
}

/// What a lead's `lead.rerouted` event of a bulk reroute keeps: the decision replaced and the new one.
package enum RerouteHistory {
    /// The decision a reroute replaces, as the lead's history keeps it.
    package static func replaced(_ lead: LeadSummary, decision: Decision?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "status": .string(lead.status.rawValue),
            "rule_id": lead.ruleID.map(JSONValue.string) ?? .null,
            "target": (try? lead.target.map { try JSONValue(encoding: $0) }) ?? .null,
            "policy_version": lead.policyVersion.map { .number(Double($0)) } ?? .null,
        ]
        if let decision, let explanation = try? JSONValue(encoding: decision.explanation) { fields["explanation"] = explanation }
        return .object(fields)
    }

    package static func decided(_ decision: Decision, status: LeadStatus, policyVersion: Int?) throws -> JSONValue {
        .object(["status": .string(status.rawValue),
                 "rule_id": decision.ruleID.map(JSONValue.string) ?? .null,
                 "target": try decision.target.map { try JSONValue(encoding: $0) } ?? .null,
                 "policy_version": policyVersion.map { .number(Double($0)) } ?? .null,
                 "bulk": .bool(true)])
    }
}
