import Foundation
import LeadPolicy

/// Commits leads with their decisions, and reads them back.
public protocol LeadRepository: Sendable {
    /// Decides and commits the leads in one write transaction, in order: each lead, its decision, its
    /// outbox entry and the rotation it advanced are durable when this returns. The policy engine runs
    /// inside the transaction, so concurrent leads see each other's rotation exactly.
    func accept(_ submissions: [LeadSubmission], dayTimeZone: TimeZone) async throws -> [AcceptedLead]

    /// What the engine would decide for this lead at `at` (today's counts and rotations as they stand,
    /// read as of that day), under `draft` or the current policy, changing nothing.
    func preview(_ lead: Lead, at: Date, draft: Policy?, dayTimeZone: TimeZone) async throws -> Decision

    func lead(id: String) async throws -> StoredLead?

    /// One page of leads, newest first.
    func leads(_ query: LeadQuery) async throws -> [LeadSummary]

    /// Erases the contact fields (see `ContactFields`) of leads received before `cutoff`, keeping their
    /// decisions, targets and delivery history; returns how many leads were erased.
    func eraseContactFields(receivedBefore cutoff: Date, actor: AuditActor) async throws -> Int

    /// Every lead received in the range, oldest first, as the engine saw it and as it was decided.
    func decidedLeads(since: Date?, until: Date?) async throws -> [DecidedLead]

    /// How many leads are stored, and how many wait in the outbox.
    func leadCounts() async throws -> (leads: Int, outbox: Int)

    /// A pool's rotation now (members, current weights, today's counts, who is next); nil for an
    /// unknown pool. Reads only.
    func poolRotation(_ poolID: String, dayTimeZone: TimeZone) async throws -> PoolRotationView?

    /// Leads received at or after `since`, counted by status.
    func statusCounts(since: Date) async throws -> [LeadStatus: Int]

    /// Queues a dead lead (or a retrying one) for delivery again, with a fresh allowance of attempts.
    /// Throws `PolicyError` (.notFound, or .invalid when its status does not allow it).
    func redeliver(id: String, actor: AuditActor) async throws -> StoredLead

    /// Runs an unrouted lead through the current policy again.
    func reroute(id: String, actor: AuditActor, dayTimeZone: TimeZone) async throws -> StoredLead

    /// Queues every dead or retrying lead that `query` matches (its status one of
    /// `BulkRecovery.redeliverable`) again; `filter` is the filter as the client gave it, for the audit
    /// event. A dry run counts and samples, changing nothing.
    func redeliver(matching query: LeadQuery, filter: JSONValue, dryRun: Bool, actor: AuditActor) async throws -> BulkRecoveryResult

    /// Decides every dead or unrouted lead that `query` matches again under the current policy.
    func reroute(matching query: LeadQuery, filter: JSONValue, dryRun: Bool, actor: AuditActor,
                 dayTimeZone: TimeZone) async throws -> BulkRecoveryResult
}

/// The durable queue of leads waiting for delivery.
public protocol OutboxRepository: Sendable {
    /// Forgets every claim: called at start-up, when nothing can be in flight, so a lead that was being
    /// delivered when the process died is delivered again.
    func releaseClaims() async throws

    /// Claims up to `limit` leads due by `now`, for `lease` seconds, oldest due first.
    func claimDueJobs(limit: Int, now: Date, lease: TimeInterval) async throws -> [DeliveryJob]

    /// Extends to `until` the claims on `leadIDs` that this instance still holds, and returns those:
    /// a lead left out was taken from it (its lease ran out and another instance claimed it, or it was
    /// requeued), and is not to be delivered by this one.
    func renewClaims(_ leadIDs: [String], until: Date) async throws -> Set<String>

    /// Records attempts and their outcomes, and releases their claims, in one write transaction.
    func record(_ attempts: [RecordedAttempt]) async throws

    /// Puts a claimed lead back for later without counting an attempt (its target's circuit is open).
    func postpone(_ job: DeliveryJob, until: Date) async throws

    /// When the next unclaimed lead falls due, if any is waiting.
    func nextDueDate() async throws -> Date?

    /// How much waits in the outbox, since when, and how many leads are dead.
    func pipelineSnapshot() async throws -> PipelineSnapshot
}

extension OutboxRepository {
    /// Records one attempt and its outcome, and releases the claim.
    public func record(_ attempt: DeliveryAttempt, outcome: DeliveryOutcome, for job: DeliveryJob) async throws {
        try await record([RecordedAttempt(leadID: job.leadID, attempt: attempt, outcome: outcome)])
    }
}
