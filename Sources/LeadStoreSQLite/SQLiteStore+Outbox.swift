import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore: OutboxRepository {
    public func releaseClaims() async throws {
        try await pool.write { db in try db.executeCached(sql: "UPDATE outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL") }
    }

    public func claimDueJobs(limit: Int, now: Date, lease: TimeInterval) async throws -> [DeliveryJob] {
        let rows = try await pool.write { db -> [(Row, Data?)] in
            let nowText = Timestamp.string(now)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT o.lead_id, o.attempts, o.rejections, l.fields_json, l.target_kind, l.target_agent_id, l.target_account_id,
                           a.crm_url
                    FROM outbox o JOIN lead l ON l.id = o.lead_id
                    LEFT JOIN account a ON a.id = l.target_account_id
                    WHERE o.due_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until < ?)
                    ORDER BY o.due_at, o.lead_id LIMIT ?
                    """,
                arguments: [nowText, nowText, limit])
            let until = Timestamp.string(now.addingTimeInterval(lease))
            return try rows.map { row in
                try db.executeCached(sql: "UPDATE outbox SET claimed_until = ? WHERE lead_id = ?", arguments: [until, row["lead_id"] as String])
                let sealed: Data? = switch row["target_kind"] as String? {
                case "agent": try Data.fetchOne(try db.cachedStatement(sql: "SELECT api_key_sealed FROM agent WHERE id = ?"), arguments: [row["target_agent_id"] as String?])
                default: try Data.fetchOne(try db.cachedStatement(sql: "SELECT admin_api_key_sealed FROM account WHERE id = ?"), arguments: [row["target_account_id"] as String?])
                }
                return (row, sealed)
            }
        }
        return try rows.map { row, sealed in
            let target: Target = row["target_kind"] == "agent"
                ? .agent(agentID: row["target_agent_id"], accountID: row["target_account_id"])
                : .admin(accountID: row["target_account_id"])
            let owner = target.agentID.map { SecretOwner(kind: Agent.kind, id: $0) } ?? SecretOwner(kind: Account.kind, id: target.accountID)
            return DeliveryJob(
                leadID: row["lead_id"],
                fields: try LeadTables.fields(row["fields_json"]),
                target: target, apiKey: try sealed.map { try requireSecretBox().open($0, owner: owner) },
                crmURL: row["crm_url"], attempts: row["attempts"], rejections: row["rejections"])
        }
    }

    /// One process claims here: a claim it holds is any with a lease (requeuing a lead clears it).
    public func renewClaims(_ leadIDs: [String], until: Date) async throws -> Set<String> {
        guard !leadIDs.isEmpty else { return [] }
        let until = Timestamp.string(until)
        return try await pool.write { db in
            // One cached statement a lead: a worker holds a few hundred claims at most, renewed every
            // third of a lease.
            var renewed: Set<String> = []
            for id in leadIDs {
                try db.executeCached(sql: "UPDATE outbox SET claimed_until = ? WHERE lead_id = ? AND claimed_until IS NOT NULL",
                                     arguments: [until, id])
                if db.changesCount > 0 { renewed.insert(id) }
            }
            return renewed
        }
    }

    public func record(_ attempts: [RecordedAttempt]) async throws {
        guard !attempts.isEmpty else { return }
        try await pool.write { db in
            var audit = try AuditWriter(db)
            for recorded in attempts {
                try Self.record(recorded, audit: &audit, in: db)
            }
        }
    }

    private static func record(_ recorded: RecordedAttempt, audit: inout AuditWriter, in db: Database) throws {
        let (leadID, attempt, outcome) = (recorded.leadID, recorded.attempt, recorded.outcome)
        try db.executeCached(
            sql: """
                INSERT INTO delivery_attempt (lead_id, at, http_status, crm_success, error, duration_ms, response_body, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [leadID, attempt.at, attempt.httpStatus, attempt.crmSuccess, attempt.error, attempt.durationMS, attempt.responseBody,
                        attempt.detail])
        let status: LeadStatus
        switch outcome {
        case .delivered, .dead:
            status = outcome == .delivered ? .delivered : .dead
            try db.executeCached(sql: "DELETE FROM outbox WHERE lead_id = ?", arguments: [leadID])
        case .retry(let at, let rejected):
            status = .retrying
            try db.executeCached(sql: "UPDATE outbox SET due_at = ?, attempts = attempts + 1, rejections = rejections + ?, claimed_until = NULL WHERE lead_id = ?",
                           arguments: [Timestamp.string(at), rejected ? 1 : 0, leadID])
        }
        try db.executeCached(sql: "UPDATE lead SET attempts = attempts + 1, status = ?, updated_at = ? WHERE id = ?",
                       arguments: [status.rawValue, attempt.at, leadID])
        for event in LeadEvents.attempted(leadID, attempt: attempt, outcome: outcome) {
            try audit.append(event, actor: .service, in: db)
        }
    }

    public func postpone(_ job: DeliveryJob, until: Date) async throws {
        try await pool.write { db in
            try db.executeCached(sql: "UPDATE outbox SET due_at = ?, claimed_until = NULL WHERE lead_id = ?",
                           arguments: [Timestamp.string(until), job.leadID])
        }
    }

    public func nextDueDate() async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(try db.cachedStatement(sql: "SELECT MIN(due_at) FROM outbox WHERE claimed_until IS NULL")).flatMap(Timestamp.parse)
        }
    }

    public func pipelineSnapshot() async throws -> PipelineSnapshot {
        try await pool.read { db in
            // Lead ids sort by arrival, so the smallest id in the outbox is the longest-waiting lead:
            // two index lookups instead of a join over the whole backlog.
            let oldest = try String.fetchOne(
                db, sql: "SELECT received_at FROM lead WHERE id = (SELECT MIN(lead_id) FROM outbox)")
            return PipelineSnapshot(
                outboxDepth: try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox")) ?? 0,
                oldestPendingReceivedAt: oldest.flatMap(Timestamp.parse),
                deadLeads: try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM lead WHERE status = 'dead'")) ?? 0)
        }
    }
}
