import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// Delivery claims shared by every instance.
///
/// A claim names its owner (`claimed_by`, this store's `instanceID`) and lasts a lease
/// (`claimed_until`) that the worker renews while it holds the lead (claimed, in flight, or its
/// outcome waiting to be recorded). Instances claim with `FOR UPDATE SKIP LOCKED`:
/// two never wait for, or take, the same lead. A claim whose owner died is taken over by any instance
/// once its lease has ended, and only the owner of a live claim records the outcome — an owner whose
/// claim was taken over records nothing, and the lead's new owner delivers it (at least once).
extension PostgresStore: OutboxRepository {
    /// Releases this instance's own claims only: the others' claims are live deliveries (releasing
    /// them, as one SQLite process may at its start, would deliver their leads twice). A restarted
    /// instance is a new owner; its old claims are taken over when their lease ends.
    public func releaseClaims() async throws {
        try await rows("UPDATE outbox SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = \(instanceID)")
    }

    public func claimDueJobs(limit: Int, now: Date, lease: TimeInterval) async throws -> [DeliveryJob] {
        let nowText = Timestamp.string(now)
        let until = Timestamp.string(now.addingTimeInterval(lease))
        return try await transaction { [self] connection in
            let claimed = try await connection.query("""
                WITH due AS (
                    SELECT lead_id FROM outbox
                    WHERE due_at <= \(nowText) AND (claimed_until IS NULL OR claimed_until < \(nowText))
                    ORDER BY due_at, lead_id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE outbox SET claimed_until = \(until), claimed_by = \(instanceID) FROM due WHERE outbox.lead_id = due.lead_id
                RETURNING outbox.lead_id
                """, logger: logger).collect()
            let ids = try claimed.map { try $0.decode(String.self) }
            guard !ids.isEmpty else { return [] }
            return try await connection.query("""
                SELECT o.lead_id, o.attempts, o.rejections, o.due_at, l.fields_json, l.target_kind, l.target_agent_id, l.target_account_id,
                       a.crm_url, a.admin_api_key_sealed, g.api_key_sealed
                FROM outbox o JOIN lead l ON l.id = o.lead_id
                LEFT JOIN account a ON a.id = l.target_account_id
                LEFT JOIN agent g ON g.id = l.target_agent_id
                WHERE o.lead_id = ANY(\(ids))
                ORDER BY o.due_at, o.lead_id
                """, logger: logger).columns().map(job)
        }
    }

    /// Only the claims this instance owns are extended: one taken over by another instance (after this
    /// one's lease lapsed, say while the server was away) stays the other's.
    public func renewClaims(_ leadIDs: [String], until: Date) async throws -> Set<String> {
        guard !leadIDs.isEmpty else { return [] }
        let renewed = try await rows("""
            UPDATE outbox SET claimed_until = \(Timestamp.string(until))
            WHERE lead_id = ANY(\(leadIDs)) AND claimed_by = \(instanceID)
            RETURNING lead_id
            """)
        return Set(try renewed.map { try $0.decode(String.self) })
    }

    /// A claimed lead ready to deliver, its CRM key opened.
    private func job(_ row: PostgresColumns) throws -> DeliveryJob {
        let kind: String? = try row["target_kind"]
        let target: Target = kind == "agent"
            ? .agent(agentID: try row["target_agent_id"], accountID: try row["target_account_id"])
            : .admin(accountID: try row["target_account_id"])
        let owner = target.agentID.map { SecretOwner(kind: Agent.kind, id: $0) } ?? SecretOwner(kind: Account.kind, id: target.accountID)
        let sealed: Data? = kind == "agent" ? try row["api_key_sealed"] : try row["admin_api_key_sealed"]
        return DeliveryJob(
            leadID: try row["lead_id"], fields: try LeadColumns.fields(try row["fields_json"]), target: target,
            apiKey: try sealed.map { try requireSecretBox().open($0, owner: owner) },
            crmURL: try row["crm_url"], attempts: try row["attempts"], rejections: try row["rejections"])
    }

    public func record(_ attempts: [RecordedAttempt]) async throws {
        guard !attempts.isEmpty else { return }
        try await transaction { [self] connection in
            // Leads first, then their outbox rows, then the chain's head: the order every writer takes.
            try await connection.query("SELECT id FROM lead WHERE id = ANY(\(attempts.map(\.leadID))) ORDER BY id FOR UPDATE", logger: logger)
            var audit = PostgresAuditWriter()
            for recorded in attempts {
                try await record(recorded, audit: &audit, connection)
            }
            try await audit.write(connection, logger: logger)
        }
    }

    private func record(_ recorded: RecordedAttempt, audit: inout PostgresAuditWriter, _ connection: PostgresConnection) async throws {
        let (leadID, attempt, outcome) = (recorded.leadID, recorded.attempt, recorded.outcome)
        let status: LeadStatus
        let owned: Bool
        switch outcome {
        case .delivered, .dead:
            status = outcome == .delivered ? .delivered : .dead
            owned = !(try await connection.query("""
                DELETE FROM outbox WHERE lead_id = \(leadID) AND claimed_by = \(instanceID) RETURNING lead_id
                """, logger: logger).collect().isEmpty)
        case .retry(let at, let rejected):
            status = .retrying
            owned = !(try await connection.query("""
                UPDATE outbox SET due_at = \(Timestamp.string(at)), attempts = attempts + 1, rejections = rejections + \(rejected ? 1 : 0),
                                  claimed_until = NULL, claimed_by = NULL
                WHERE lead_id = \(leadID) AND claimed_by = \(instanceID) RETURNING lead_id
                """, logger: logger).collect().isEmpty)
        }
        guard owned else {
            // The claim ran out and another instance took the lead over (or it was requeued): that
            // instance delivers it and records its outcome.
            logger.warning("delivery outcome not recorded: the lead's claim was taken over", metadata: ["lead_id": "\(leadID)"])
            return
        }
        try await connection.query("""
            INSERT INTO delivery_attempt (lead_id, at, http_status, crm_success, error, duration_ms, response_body, detail)
            VALUES (\(leadID), \(attempt.at), \(attempt.httpStatus), \(attempt.crmSuccess), \(attempt.error), \(attempt.durationMS),
                    \(attempt.responseBody), \(attempt.detail))
            """, logger: logger)
        try await connection.query("""
            UPDATE lead SET attempts = attempts + 1, status = \(status.rawValue), updated_at = \(attempt.at) WHERE id = \(leadID)
            """, logger: logger)
        for event in LeadEvents.attempted(leadID, attempt: attempt, outcome: outcome) {
            audit.append(event, actor: .service)
        }
    }

    public func postpone(_ job: DeliveryJob, until: Date) async throws {
        try await rows("""
            UPDATE outbox SET due_at = \(Timestamp.string(until)), claimed_until = NULL, claimed_by = NULL
            WHERE lead_id = \(job.leadID) AND claimed_by = \(instanceID)
            """)
    }

    /// When the next lead may be claimed: its due time, or for a lead claimed by an instance that may
    /// have died, the end of that claim's lease (when it can be taken over).
    public func nextDueDate() async throws -> Date? {
        try await rows("""
            SELECT MIN(GREATEST(due_at, COALESCE(claimed_until, due_at))) FROM outbox WHERE claimed_by IS DISTINCT FROM \(instanceID)
            """).first?.decode(String?.self).flatMap(Timestamp.parse)
    }

    public func pipelineSnapshot() async throws -> PipelineSnapshot {
        let row = try await rows("""
            SELECT (SELECT COUNT(*) FROM outbox),
                   (SELECT received_at FROM lead WHERE id = (SELECT MIN(lead_id) FROM outbox)),
                   (SELECT COUNT(*) FROM lead WHERE status = 'dead')
            """).first
        let (depth, oldest, dead) = try row?.decode((Int, String?, Int).self) ?? (0, nil, 0)
        return PipelineSnapshot(outboxDepth: depth, oldestPendingReceivedAt: oldest.flatMap(Timestamp.parse), deadLeads: dead)
    }
}

extension PostgresStore: DispatcherStore {
    public var instanceSignals: (any InstanceSignals)? { signals }
}
