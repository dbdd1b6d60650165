import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore {
    /// Queues every lead matching `query` (dead or retrying, with a target) for delivery again, oldest
    /// first, in batches; each lead gets a `lead.redelivered` event and the whole run one
    /// `leads.redelivered` event naming `filter` and the count.
    public func redeliver(matching query: LeadQuery, filter: JSONValue, dryRun: Bool, actor: AuditActor) async throws -> BulkRecoveryResult {
        let conditions = ["target_kind IS NOT NULL"]
        if dryRun { return try await countAndSample(query, extra: conditions) }
        return try await inBatches(query, extra: conditions) { leads, result, db in
            let now = Date()
            let at = Timestamp.string(now)
            var audit = try AuditWriter(db)
            for lead in leads {
                try db.executeCached(sql: "UPDATE lead SET status = 'queued', updated_at = ? WHERE id = ?", arguments: [at, lead.id])
                try db.executeCached(
                    sql: """
                        INSERT INTO outbox (lead_id, due_at) VALUES (?, ?)
                        ON CONFLICT (lead_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, rejections = 0, claimed_until = NULL
                        """,
                    arguments: [lead.id, at])
                try audit.append(NewAuditEvent(type: "lead.redelivered", entityKind: "lead", entityID: lead.id,
                                               before: .object(["status": .string(lead.status.rawValue)]),
                                               after: .object(["status": .string("queued"), "bulk": .bool(true)])),
                                 actor: actor, at: now, in: db)
                result.changed += 1
            }
            return audit
        } finish: { result, audit, db in
            try audit.append(NewAuditEvent(type: "leads.redelivered", entityKind: "leads", entityID: nil,
                                           after: .object(["filter": filter, "redelivered": .number(Double(result.changed))])),
                             actor: actor, in: db)
        }
    }

    /// Decides every lead matching `query` (dead or unrouted) again under the current policy, oldest
    /// first, in batches. The decision it replaces is kept in the lead's `lead.rerouted` event; the
    /// whole run is one `leads.rerouted` event naming `filter` and the counts. A dry run decides each
    /// lead too (so its counts are what a real run would give now) and changes nothing.
    public func reroute(matching query: LeadQuery, filter: JSONValue, dryRun: Bool, actor: AuditActor,
                        dayTimeZone: TimeZone) async throws -> BulkRecoveryResult {
        if dryRun {
            return try await pool.read { db in
                var result = try Self.count(query, extra: [], in: db)
                let policy = try PolicyTables.load(db).policy
                let now = Date()
                var routing = try RoutingTables(db, now: now, timeZone: dayTimeZone, policy: policy, cache: self.routingCache, policies: self.policyVersions)
                for lead in try Self.batch(query, extra: [], after: nil, limit: Int.max, in: db) {
                    let engineLead = try LeadTables.engineLead(lead, in: db)
                    let outcome = RoutingEngine.decide(engineLead, policy: policy, state: try routing.state(for: engineLead, policy: policy, now: now, in: db))
                    routing.apply(outcome)
                    if outcome.decision.target == nil { result.unrouted += 1 } else { result.changed += 1 }
                }
                return result
            }
        }
        return try await inBatches(query, extra: []) { leads, result, db in
            let policy = try PolicyTables.load(db).policy
            let version = try PolicyVersions.current(db)
            let now = Date()
            var routing = try RoutingTables(db, now: now, timeZone: dayTimeZone, policy: policy, cache: self.routingCache, policies: self.policyVersions)
            // Rotations advanced outside a batch of leads: the next batch replays them.
            self.routingCache.invalidate()
            var audit = try AuditWriter(db)
            for lead in leads {
                let old = try LeadTables.fetch(id: lead.id, policies: self.policyVersions, in: db)
                let engineLead = try old?.engineLead ?? LeadTables.engineLead(lead, in: db)
                let state = try routing.state(for: engineLead, policy: policy, now: now, in: db)
                let outcome = RoutingEngine.decide(engineLead, policy: policy, state: state)
                let picksRead = routing.picks
                let pick = routing.apply(outcome)
                let status = try LeadTables.update(id: lead.id, decision: outcome.decision, state: state.restricted(to: outcome.decision, policy: policy),
                                                   picksRead: picksRead, pick: pick, policyVersion: version, now: now,
                                                   policies: self.policyVersions, in: db)
                if status == .unrouted { result.unrouted += 1 } else { result.changed += 1 }
                try audit.append(NewAuditEvent(type: "lead.rerouted", entityKind: "lead", entityID: lead.id,
                                               before: RerouteHistory.replaced(lead, decision: old?.decision),
                                               after: try RerouteHistory.decided(outcome.decision, status: status, policyVersion: version)),
                                 actor: actor, at: now, in: db)
            }
            try routing.flush(in: db)
            return audit
        } finish: { result, audit, db in
            try audit.append(NewAuditEvent(type: "leads.rerouted", entityKind: "leads", entityID: nil,
                                           after: .object(["filter": filter, "rerouted": .number(Double(result.changed)),
                                                           "unrouted": .number(Double(result.unrouted))])),
                             actor: actor, in: db)
        }
    }

    /// The count and the first few matches, changing nothing.
    private func countAndSample(_ query: LeadQuery, extra: [String]) async throws -> BulkRecoveryResult {
        try await pool.read { db in
            var result = try Self.count(query, extra: extra, in: db)
            result.changed = result.matched
            return result
        }
    }

    private static func count(_ query: LeadQuery, extra: [String], in db: Database) throws -> BulkRecoveryResult {
        let (conditions, arguments) = Self.conditions(query)
        let whereClause = "WHERE " + (conditions + extra + ["1"]).joined(separator: " AND ")
        let matched = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lead \(whereClause)", arguments: arguments) ?? 0
        return BulkRecoveryResult(matched: matched, sample: try batch(query, extra: extra, after: nil, limit: BulkRecoveryResult.sampleSize, in: db))
    }

    /// Matches after `after` in (received_at, id) order, oldest first.
    private static func batch(_ query: LeadQuery, extra: [String], after: LeadCursor?, limit: Int, in db: Database) throws -> [LeadSummary] {
        var (conditions, arguments) = Self.conditions(query)
        conditions += extra
        if let after {
            conditions.append("(received_at > ? OR (received_at = ? AND id > ?))")
            arguments += [after.receivedAt, after.receivedAt, after.id]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit == Int.max ? -1 : limit]
        return try Row.fetchAll(db, sql: "SELECT \(LeadTables.summaryColumns) FROM lead \(whereClause) ORDER BY received_at, id LIMIT ?",
                                arguments: arguments).map(LeadTables.summary(fromSummaryColumns:))
    }

    /// Runs `change` over the matches one batch per write transaction, walking forward by position so
    /// that a lead changed (or left as it was) is never read twice; `finish` writes the run's own event
    /// inside the last batch's transaction. A run that matches nothing writes nothing.
    private func inBatches(_ query: LeadQuery, extra: [String],
                           change: @escaping @Sendable ([LeadSummary], inout BulkRecoveryResult, Database) throws -> AuditWriter,
                           finish: @escaping @Sendable (BulkRecoveryResult, inout AuditWriter, Database) throws -> Void) async throws -> BulkRecoveryResult {
        var result = BulkRecoveryResult()
        var after: LeadCursor?
        while true {
            let (batchResult, last, done) = try await pool.write { [result, after] db in
                var result = result
                let leads = try Self.batch(query, extra: extra, after: after, limit: BulkRecovery.batchSize, in: db)
                if result.sample.count < BulkRecoveryResult.sampleSize {
                    result.sample += leads.prefix(BulkRecoveryResult.sampleSize - result.sample.count)
                }
                result.matched += leads.count
                var audit = try change(leads, &result, db)
                let done = leads.count < BulkRecovery.batchSize
                if done, result.matched > 0 { try finish(result, &audit, db) }
                return (result, leads.last?.cursor, done)
            }
            result = batchResult
            after = last ?? after
            if done { return result }
        }
    }
}
