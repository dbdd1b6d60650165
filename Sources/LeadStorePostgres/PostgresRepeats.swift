import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// Repeated `Idempotency-Key`s and duplicate leads, recognised inside the decision transaction under
/// the routing lock, so that two instances given the same key or the same lead at once decide them
/// one after the other; the key's primary key (vendor, key) refuses a second row besides.
struct PostgresRepeats {
    let now: Date
    let logger: Logger
    private var dedupeWindows: [String: Int] = [:]

    init(_ connection: PostgresConnection, logger: Logger, now: Date) async throws {
        self.now = now
        self.logger = logger
        let expired = Timestamp.string(now.addingTimeInterval(-RepeatedSubmissionRules.keyLifetime))
        // Expired keys are forgotten in the same statement that reads the dedupe windows: one round trip
        // fewer for every batch, made while it holds the routing lock.
        for row in try await connection.query("""
            WITH forgotten AS (DELETE FROM idempotency_key WHERE created_at < \(expired))
            SELECT id, dedupe_window_minutes FROM vendor WHERE dedupe_window_minutes > 0
            """, logger: logger).collect() {
            let (id, minutes) = try row.decode((String, Int).self)
            dedupeWindows[id] = minutes
        }
    }

    /// True when some vendor has a dedupe window: a submission's duplicate is then searched among the
    /// leads, those of its own batch included.
    var readsLeads: Bool { !dedupeWindows.isEmpty }

    /// The answer given the first time, when this is a repeat of an `Idempotency-Key`.
    func earlierAnswer(for submission: LeadSubmission, _ connection: PostgresConnection) async throws -> AcceptedLead? {
        guard let key = submission.idempotencyKey,
              let row = try await connection.query("""
                  SELECT k.fingerprint, k.lead_id, l.status FROM idempotency_key k LEFT JOIN lead l ON l.id = k.lead_id
                  WHERE k.vendor_id = \(submission.vendorID) AND k.key = \(key)
                  """, logger: logger).columns().first else { return nil }
        let fingerprint: String = try row["fingerprint"]
        let status: String? = try row["status"]
        return AcceptedLead(leadID: try row["lead_id"], status: status.flatMap(LeadStatus.init) ?? .queued, decision: nil,
                            disposition: fingerprint == submission.fingerprint ? .repeated : .keyConflict)
    }

    /// The first lead this one duplicates, inside the vendor's dedupe window, with its own status.
    func duplicateOf(_ submission: LeadSubmission, _ connection: PostgresConnection) async throws -> (id: String, status: LeadStatus)? {
        guard let minutes = dedupeWindows[submission.vendorID], let email = submission.lead.normalizedEmail else { return nil }
        let since = Timestamp.string(submission.receivedAt.addingTimeInterval(-Double(minutes) * 60))
        guard let row = try await connection.query("""
            SELECT id, status FROM lead
            WHERE email = \(email) AND vendor_id = \(submission.vendorID) AND campaign_id IS NOT DISTINCT FROM \(submission.lead.campaignID)
              AND status <> 'duplicate' AND received_at >= \(since)
            ORDER BY received_at LIMIT 1
            """, logger: logger).collect().first else { return nil }
        let (id, status) = try row.decode((String, String).self)
        return (id, LeadStatus(rawValue: status) ?? .queued)
    }

    /// Remembers the key, if any, with the lead it answers with.
    func remember(_ submission: LeadSubmission, leadID: String, _ connection: PostgresConnection) async throws {
        guard let key = submission.idempotencyKey else { return }
        try await connection.query("""
            INSERT INTO idempotency_key (vendor_id, key, fingerprint, lead_id, created_at)
            VALUES (\(submission.vendorID), \(key), \(submission.fingerprint), \(leadID), \(Timestamp.string(now)))
            ON CONFLICT (vendor_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, lead_id = excluded.lead_id, created_at = excluded.created_at
            """, logger: logger)
    }
}
