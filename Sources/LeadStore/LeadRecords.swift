import Crypto
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
    public var fields: [String: JSONValue] { didSet { columns = Columns(self) } }
    /// What the policy engine matches on.
    public var lead: Lead { didSet { columns = Columns(self) } }
    public var receivedAt: Date { didSet { columns = Columns(self) } }
    /// The vendor's `Idempotency-Key`, if it sent one.
    public var idempotencyKey: String?
    /// The row's columns that depend on the submission alone, rendered by the request that made it:
    /// every lead waits for the one writer, so what can be done before it is done before it.
    package private(set) var columns: Columns

    package struct Columns: Sendable {
        package var fields: String
        package var tags: String
        package var receivedAt: String

        init(fields: String, tags: String, receivedAt: String) {
            self.fields = fields
            self.tags = tags
            self.receivedAt = receivedAt
        }

        init(_ submission: LeadSubmission) {
            self.init(fields: Self.text(submission.fields), tags: Self.text(submission.lead.tags),
                      receivedAt: Timestamp.string(submission.receivedAt))
        }

        /// A lead's fields as stored (`fields_json`).
        package static func text(_ fields: [String: JSONValue]) -> String {
            var text = JSONText()
            text.value(.object(fields), sortingKeys: false)
            return text.text
        }

        /// A lead's tags as stored (`tags_json`).
        package static func text(_ tags: [String]) -> String {
            var text = JSONText(capacity: 64)
            text.array(tags) { $0.string($1) }
            return text.text
        }
    }

    public init(vendorID: String, fields: [String: JSONValue], lead: Lead, receivedAt: Date = Date(), idempotencyKey: String? = nil) {
        self.vendorID = vendorID
        self.fields = fields
        self.lead = lead
        self.receivedAt = receivedAt
        self.idempotencyKey = idempotencyKey
        self.columns = Columns(fields: Columns.text(fields), tags: Columns.text(lead.tags), receivedAt: Timestamp.string(receivedAt))
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
    /// How long the routing engine took to decide this lead (nil for a repeat, which is not decided).
    public var decisionDuration: Duration? = nil
    /// The routing state the decision read, as the lead keeps it (nil for a repeat).
    public var state: RoutingState? = nil

    package init(leadID: String, status: LeadStatus, decision: Decision? = nil, disposition: Disposition = .new, decisionDuration: Duration? = nil, state: RoutingState? = nil) {
        self.leadID = leadID
        self.status = status
        self.decision = decision
        self.disposition = disposition
        self.decisionDuration = decisionDuration
        self.state = state
    }
}

/// One attempt to hand a lead to Buying Buddy.
public struct DeliveryAttempt: Sendable, Equatable {
    public var at: String
    /// nil when no HTTP answer came (connection error, timeout).
    public var httpStatus: Int?
    /// The `success` of the answer's JSON; nil when there was none.
    public var crmSuccess: Bool?
    /// The error class: `connection`, `timeout`, `http_429`, `http_5xx`, `http_<status>` (another
    /// status), `crm_rejected`, `malformed_response`, `no_key`, `placeholder_key`; nil on success.
    public var error: String?
    public var durationMS: Int
    /// The answer's body, truncated.
    public var responseBody: String?
    /// For an attempt without an answer: what failed and the host tried (`connect(…): Connection refused
    /// (errno: 111) (127.0.0.1:9)`), or why nothing was sent; never the key or the lead's fields.
    public var detail: String?

    public init(at: String, httpStatus: Int?, crmSuccess: Bool?, error: String?, durationMS: Int, responseBody: String?, detail: String? = nil) {
        self.at = at
        self.httpStatus = httpStatus
        self.crmSuccess = crmSuccess
        self.error = error
        self.durationMS = durationMS
        self.responseBody = responseBody
        self.detail = detail
    }
}

/// A lead as stored: what the audit list shows (`summary`, whose fields read through), plus the
/// fields as received, the decision, the state it read and the delivery history.
@dynamicMemberLookup
public struct StoredLead: Sendable, Equatable {
    public var summary: LeadSummary
    public var fields: [String: JSONValue]
    public var decision: Decision
    /// The routing state the decision read.
    public var state: RoutingState?
    public var deliveryAttempts: [DeliveryAttempt]

    public subscript<Value>(dynamicMember keyPath: KeyPath<LeadSummary, Value>) -> Value {
        summary[keyPath: keyPath]
    }

    package init(summary: LeadSummary, fields: [String: JSONValue], decision: Decision, state: RoutingState? = nil, deliveryAttempts: [DeliveryAttempt]) {
        self.summary = summary
        self.fields = fields
        self.decision = decision
        self.state = state
        self.deliveryAttempts = deliveryAttempts
    }
}

/// An attempt to record, with what it decided for its lead.
public struct RecordedAttempt: Sendable {
    public var leadID: String
    public var attempt: DeliveryAttempt
    public var outcome: DeliveryOutcome

    public init(leadID: String, attempt: DeliveryAttempt, outcome: DeliveryOutcome) {
        self.leadID = leadID
        self.attempt = attempt
        self.outcome = outcome
    }
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

    package init(leadID: String, fields: [String: JSONValue], target: Target, apiKey: String? = nil, crmURL: String? = nil, attempts: Int, rejections: Int) {
        self.leadID = leadID
        self.fields = fields
        self.target = target
        self.apiKey = apiKey
        self.crmURL = crmURL
        self.attempts = attempts
        self.rejections = rejections
    }
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
    public var engineLead: Lead { summary.engineLead(fields: fields) }
}

extension LeadSummary {
    /// What the policy engine matches on, as stored, with the lead's `fields` as stored (its field
    /// conditions read them).
    public func engineLead(fields: [String: JSONValue]) -> Lead {
        Lead(vendorID: vendorID, email: email, campaignID: campaignID, tags: tags, fields: fields)
    }
}

/// A lead as the engine saw it, with the decision it got: what fairness figures and backtests replay.
public struct DecidedLead: Sendable {
    public var id: String
    public var receivedAt: Date
    public var lead: Lead
    public var decision: Decision

    package init(id: String, receivedAt: Date, lead: Lead, decision: Decision) {
        self.id = id
        self.receivedAt = receivedAt
        self.lead = lead
        self.decision = decision
    }
}

extension LeadSubmission {
    /// SHA-256 of the fields in a canonical form (sorted keys): the same body gives the same print,
    /// which an `Idempotency-Key` seen again is compared by.
    package var fingerprint: String {
        let data = (try? PolicyColumnJSON.encoder.encode(fields)) ?? Data()
        return Hex.string(SHA256.hash(data: data))
    }
}

/// What makes a submission a repeat, on every database.
package enum RepeatedSubmissionRules {
    /// How long an `Idempotency-Key` is remembered, per vendor.
    package static let keyLifetime: TimeInterval = 24 * 3600
}
