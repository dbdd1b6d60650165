import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// Recognises submissions seen before, inside the write transaction so that concurrent repeats are
/// decided one after another: a repeated `Idempotency-Key` (24 hours, per vendor) and a duplicate lead
/// (the same email and campaign from the same vendor inside its `dedupe_window_minutes`).
struct RepeatedSubmissions {
    static let keyLifetime = RepeatedSubmissionRules.keyLifetime

    let now: Date
    private var dedupeWindows: [String: Int] = [:]

    init(_ db: Database, now: Date) throws {
        self.now = now
        try db.executeCached(sql: "DELETE FROM idempotency_key WHERE created_at < ?",
                       arguments: [Timestamp.string(now.addingTimeInterval(-Self.keyLifetime))])
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT id, dedupe_window_minutes FROM vendor WHERE dedupe_window_minutes > 0")) {
            dedupeWindows[row["id"]] = row["dedupe_window_minutes"]
        }
    }

    /// The answer given the first time, when this is a repeat of an `Idempotency-Key`.
    func earlierAnswer(for submission: LeadSubmission, in db: Database) throws -> AcceptedLead? {
        guard let key = submission.idempotencyKey,
              let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT fingerprint, lead_id FROM idempotency_key WHERE vendor_id = ? AND key = ?"),
                                         arguments: [submission.vendorID, key])
        else { return nil }
        let leadID: String = row["lead_id"]
        let status = try String.fetchOne(try db.cachedStatement(sql: "SELECT status FROM lead WHERE id = ?"), arguments: [leadID]).flatMap(LeadStatus.init) ?? .queued
        let disposition: AcceptedLead.Disposition = row["fingerprint"] == Self.fingerprint(submission) ? .repeated : .keyConflict
        return AcceptedLead(leadID: leadID, status: status, decision: nil, disposition: disposition)
    }

    /// The first lead this one duplicates, inside the vendor's dedupe window, with its own status.
    func duplicateOf(_ submission: LeadSubmission, in db: Database) throws -> (id: String, status: LeadStatus)? {
        guard let minutes = dedupeWindows[submission.vendorID], let email = submission.lead.normalizedEmail else { return nil }
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT id, status FROM lead
                WHERE email = ? AND vendor_id = ? AND campaign_id IS ? AND status != 'duplicate' AND received_at >= ?
                ORDER BY received_at LIMIT 1
                """,
            arguments: [email, submission.vendorID, submission.lead.campaignID,
                        Timestamp.string(submission.receivedAt.addingTimeInterval(-Double(minutes) * 60))])
        return row.map { ($0["id"], LeadStatus(rawValue: $0["status"]) ?? .queued) }
    }

    /// Remembers the key, if any, with the lead it answers with.
    func remember(_ submission: LeadSubmission, leadID: String, in db: Database) throws {
        guard let key = submission.idempotencyKey else { return }
        try db.executeCached(sql: "INSERT OR REPLACE INTO idempotency_key (vendor_id, key, fingerprint, lead_id, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [submission.vendorID, key, Self.fingerprint(submission), leadID, Timestamp.string(now)])
    }

    static func fingerprint(_ submission: LeadSubmission) -> String {
        submission.fingerprint
    }
}
