import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore: LeadRepository {
    public func accept(_ submissions: [LeadSubmission], dayTimeZone: TimeZone) async throws -> [AcceptedLead] {
        guard !submissions.isEmpty else { return [] }
        let (policyCache, rotations, policies) = (self.policyCache, self.routingCache, self.policyVersions)
        let (accepted, advanced) = try await pool.write { db in
            try Self.accept(submissions, dayTimeZone: dayTimeZone, policyCache: policyCache, rotations: rotations, policies: policies, in: db)
        }
        // Committed: the next batch starts from these rotations.
        rotations.store(advanced)
        return accepted
    }

    public func acceptBlocking(_ submissions: [LeadSubmission], dayTimeZone: TimeZone) throws -> [AcceptedLead] {
        guard !submissions.isEmpty else { return [] }
        let (policyCache, rotations, policies) = (self.policyCache, self.routingCache, self.policyVersions)
        let (accepted, advanced) = try pool.write { db in
            try Self.accept(submissions, dayTimeZone: dayTimeZone, policyCache: policyCache, rotations: rotations, policies: policies, in: db)
        }
        rotations.store(advanced)
        return accepted
    }

    /// The leads decided and written, in order, inside the caller's write transaction.
    /// Also returns the rotations the batch advanced, to be kept once it commits.
    private static func accept(_ submissions: [LeadSubmission], dayTimeZone: TimeZone, policyCache: PolicyCache, rotations: RoutingStateCache,
                               policies: PolicyVersionCache, in db: Database) throws -> ([AcceptedLead], [String: (seq: Int, rotation: PoolRotation)]) {
        let version = try PolicyVersions.current(db)
        let policy = try policyCache.policy(version: version) { try PolicyTables.load(db).policy }
        let now = Date()
        var routing = try RoutingTables(db, now: now, timeZone: dayTimeZone, policy: policy, cache: rotations, policies: policies)
        var audit = try AuditWriter(db)
        let repeats = try RepeatedSubmissions(db, now: now)
        var accepted: [AcceptedLead] = []
        for submission in submissions {
            if let answer = try repeats.earlierAnswer(for: submission, in: db) {
                accepted.append(answer)
                continue
            }
            if let first = try repeats.duplicateOf(submission, in: db) {
                let id = LeadIDs.make(at: submission.receivedAt)
                try LeadTables.insertDuplicate(submission, id: id, of: first.id, now: now, in: db)
                try audit.append(NewAuditEvent(type: "lead.duplicate", entityKind: "lead", entityID: id,
                                               after: .object(["duplicate_of": .string(first.id), "vendor_id": .string(submission.vendorID)])),
                                 actor: .vendor(submission.vendorID), at: now, in: db)
                try repeats.remember(submission, leadID: first.id, in: db)
                // Answered as a repeated Idempotency-Key is: the first lead's id and its own status.
                accepted.append(AcceptedLead(leadID: first.id, status: first.status, decision: nil, disposition: .repeated))
                continue
            }
            let state = try routing.state(for: submission.lead, policy: policy, now: now, in: db)
            let decisionStarted = ContinuousClock.now
            let outcome = RoutingEngine.decide(submission.lead, policy: policy, state: state)
            let decisionDuration = ContinuousClock.now - decisionStarted
            let picksRead = routing.picks
            let pick = routing.apply(outcome)
            let id = LeadIDs.make(at: submission.receivedAt)
            let read = state.restricted(to: outcome.decision, policy: policy)
            let status = try LeadTables.insert(submission, id: id, decision: outcome.decision, state: read, picksRead: picksRead, pick: pick,
                                               policyVersion: version, now: now, in: db)
            for event in LeadEvents.decided(id, vendorID: submission.vendorID, decision: outcome.decision, status: status, policyVersion: version) {
                try audit.append(event, actor: .vendor(submission.vendorID), at: now, in: db)
            }
            try repeats.remember(submission, leadID: id, in: db)
            accepted.append(AcceptedLead(leadID: id, status: status, decision: outcome.decision, decisionDuration: decisionDuration, state: read))
        }
        try routing.flush(in: db)
        return (accepted, routing.flushed)
    }

    public func preview(_ lead: Lead, at now: Date, draft: Policy?, dayTimeZone: TimeZone) async throws -> Decision {
        try await pool.read { db in
            let policy = try draft ?? PolicyTables.load(db).policy
            let routing = try RoutingTables(db, now: now, timeZone: dayTimeZone, policy: policy, cache: self.routingCache, policies: self.policyVersions)
            return RoutingEngine.decide(lead, policy: policy, state: try routing.state(for: lead, policy: policy, now: now, in: db)).decision
        }
    }

    public func poolRotation(_ poolID: String, dayTimeZone: TimeZone) async throws -> PoolRotationView? {
        try await pool.read { db in
            let policy = try PolicyTables.load(db).policy
            let now = Date()
            let routing = try RoutingTables(db, now: now, timeZone: dayTimeZone, policy: policy, cache: self.routingCache, policies: self.policyVersions)
            return PoolRotationView(poolID: poolID, policy: policy, state: try routing.state(for: Lead(), policy: policy, now: now, in: db))
        }
    }

    public func lead(id: String) async throws -> StoredLead? {
        try await pool.read { db in try LeadTables.fetch(id: id, policies: policyVersions, replayingRotations: true, in: db) }
    }

    public func leadCounts() async throws -> (leads: Int, outbox: Int) {
        try await pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lead") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0)
        }
    }

    public func redeliver(id: String, actor: AuditActor) async throws -> StoredLead {
        try await pool.write { db in
            guard let lead = try LeadTables.fetch(id: id, policies: policyVersions, in: db) else {
                throw PolicyError(.notFound, field: "", "no lead '\(id)'")
            }
            guard [.dead, .retrying].contains(lead.status), lead.target != nil else {
                throw PolicyError(.inUse, field: "status", "lead '\(id)' is \(lead.status.rawValue); only dead or retrying leads are redelivered")
            }
            let now = Timestamp.string(Date())
            try db.execute(sql: "UPDATE lead SET status = 'queued', updated_at = ? WHERE id = ?", arguments: [now, id])
            try db.execute(
                sql: """
                    INSERT INTO outbox (lead_id, due_at) VALUES (?, ?)
                    ON CONFLICT (lead_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, rejections = 0, claimed_until = NULL
                    """,
                arguments: [id, now])
            try AuditLog.append(NewAuditEvent(type: "lead.redelivered", entityKind: "lead", entityID: id,
                                              before: .object(["status": .string(lead.status.rawValue)]),
                                              after: .object(["status": .string("queued")])), actor: actor, in: db)
            return try LeadTables.fetch(id: id, policies: policyVersions, replayingRotations: true, in: db)!
        }
    }

    public func reroute(id: String, actor: AuditActor, dayTimeZone: TimeZone) async throws -> StoredLead {
        try await pool.write { db in
            guard let lead = try LeadTables.fetch(id: id, policies: policyVersions, in: db) else {
                throw PolicyError(.notFound, field: "", "no lead '\(id)'")
            }
            guard lead.status == .unrouted else {
                throw PolicyError(.inUse, field: "status", "lead '\(id)' is \(lead.status.rawValue); only unrouted leads are rerouted")
            }
            let policy = try PolicyTables.load(db).policy
            let version = try PolicyVersions.current(db)
            let now = Date()
            var routing = try RoutingTables(db, now: now, timeZone: dayTimeZone, policy: policy, cache: self.routingCache, policies: self.policyVersions)
            // A rotation advanced outside a batch of leads: the next batch replays it.
            self.routingCache.invalidate()
            let engineLead = lead.engineLead
            let state = try routing.state(for: engineLead, policy: policy, now: now, in: db)
            let outcome = RoutingEngine.decide(engineLead, policy: policy, state: state)
            let picksRead = routing.picks
            let pick = routing.apply(outcome)
            try routing.flush(in: db)
            let status = try LeadTables.update(id: id, decision: outcome.decision, state: state.restricted(to: outcome.decision, policy: policy),
                                               picksRead: picksRead, pick: pick, policyVersion: version, now: now, policies: policyVersions, in: db)
            try AuditLog.append(NewAuditEvent(type: "lead.rerouted", entityKind: "lead", entityID: id,
                                              before: .object(["status": .string(lead.status.rawValue)]),
                                              after: .object(["status": .string(status.rawValue),
                                                              "rule_id": outcome.decision.ruleID.map(JSONValue.string) ?? .null])),
                                actor: actor, in: db)
            return try LeadTables.fetch(id: id, policies: policyVersions, replayingRotations: true, in: db)!
        }
    }
}
