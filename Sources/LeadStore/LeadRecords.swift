import Foundation
import LeadPolicy

/// Where a lead stands.
public enum LeadStatus: String, Sendable, Codable, CaseIterable {
    /// Routed, waiting for its first delivery attempt.
    case queued
    /// At least one attempt failed; another is scheduled.
    case retrying
    case delivered
    /// Every attempt allowed failed; an admin may redeliver it.
    case dead
    /// No rule found a target; kept, never dropped, until an admin reroutes it.
    case unrouted
    /// The same email and campaign again from the same vendor inside its dedupe window: kept, not routed
    /// or delivered.
    case duplicate
}

/// A lead as a vendor submitted it, validated, before it is committed.
public struct LeadSubmission: Sendable {
    public var vendorID: String
    /// Every field as received, the vendor's key removed.
    public var fields: [String: JSONValue]
    /// What the policy engine matches on.
    public var lead: Lead
    public var receivedAt: Date
    /// The vendor's `Idempotency-Key`, if it sent one.
    public var idempotencyKey: String?

    public init(vendorID: String, fields: [String: JSONValue], lead: Lead, receivedAt: Date = Date(), idempotencyKey: String? = nil) {
        self.vendorID = vendorID
        self.fields = fields
        self.lead = lead
        self.receivedAt = receivedAt
        self.idempotencyKey = idempotencyKey
    }
}

/// The answer for a submitted lead.
public struct AcceptedLead: Sendable, Equatable {
    public enum Disposition: Sendable, Equatable {
        /// Committed, decided and (if routed) queued.
        case new
        /// A repeat (the same `Idempotency-Key`, or a duplicate inside the vendor's dedupe window):
        /// `leadID` is the first lead's; nothing is routed or delivered again.
        case repeated
        /// The `Idempotency-Key` was used before for a different body: refused, nothing stored.
        case keyConflict
    }

    public var leadID: String
    public var status: LeadStatus
    public var decision: Decision?
    public var disposition: Disposition = .new
}

/// One attempt to hand a lead to Buying Buddy.
public struct DeliveryAttempt: Sendable, Equatable {
    public var at: String
    /// nil when no HTTP answer came (connection error, timeout).
    public var httpStatus: Int?
    /// The `success` of the answer's JSON; nil when there was none.
    public var crmSuccess: Bool?
    /// The error class: `connection`, `timeout`, `http_429`, `http_5xx`, `http_4xx`, `crm_rejected`,
    /// `malformed_response`; nil on success.
    public var error: String?
    public var durationMS: Int
    /// The answer's body, truncated.
    public var responseBody: String?

    public init(at: String, httpStatus: Int?, crmSuccess: Bool?, error: String?, durationMS: Int, responseBody: String?) {
        self.at = at
        self.httpStatus = httpStatus
        self.crmSuccess = crmSuccess
        self.error = error
        self.durationMS = durationMS
        self.responseBody = responseBody
    }
}

/// A lead as stored, with its decision and delivery history.
public struct StoredLead: Sendable, Equatable {
    public var id: String
    public var receivedAt: String
    public var vendorID: String
    public var email: String?
    public var campaignID: String?
    public var tags: [String]
    public var fields: [String: JSONValue]
    public var status: LeadStatus
    public var ruleID: String?
    public var target: Target?
    public var decision: Decision
    public var attempts: Int
    public var updatedAt: String
    public var deliveryAttempts: [DeliveryAttempt]
    /// The policy version the decision was made under; nil before the policy was first changed.
    public var policyVersion: Int?
    /// The routing state the decision read.
    public var state: RoutingState?
}

/// A lead claimed for delivery, with everything the attempt needs.
public struct DeliveryJob: Sendable {
    public var leadID: String
    public var fields: [String: JSONValue]
    public var target: Target
    /// The target's Lead Import key, decrypted for this attempt only; nil when the target's agent or
    /// account has been deleted since the lead was routed.
    public var apiKey: String?
    /// The account's own endpoint, when it has one.
    public var crmURL: String?
    /// Attempts made since the lead was (re)queued.
    public var attempts: Int
    /// Answers of `{"success": false}` so far.
    public var rejections: Int
}

/// What became of a delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Try again at this time; `rejected` counts a `{"success": false}` answer.
    case retry(at: Date, rejected: Bool)
    case dead
}

extension StoredLead {
    /// What the policy engine matches on, as stored.
    public var engineLead: Lead {
        Lead(vendorID: vendorID, email: email, campaignID: campaignID, tags: tags)
    }
}

extension StoredLead {
    /// The lead as the audit list shows it.
    public var summary: LeadSummary {
        LeadSummary(id: id, receivedAt: receivedAt, vendorID: vendorID, email: email, campaignID: campaignID, tags: tags,
                    ruleID: ruleID, target: target, status: status, attempts: attempts, updatedAt: updatedAt, policyVersion: policyVersion)
    }
}

/// A lead as the engine saw it, with the decision it got: what fairness figures and backtests replay.
public struct DecidedLead: Sendable {
    public var id: String
    public var receivedAt: Date
    public var lead: Lead
    public var decision: Decision
}
