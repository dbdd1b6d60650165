import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

extension PostgresStore {
    /// As SQLite's: every dead or retrying lead with a target that `query` matches queued again, oldest
    /// first, a batch per transaction; a `lead.redelivered` event each and one `leads.redelivered`.
    public func redeliver(matching query: LeadQuery, filter: JSONValue, dryRun: Bool, actor: AuditActor) async throws -> BulkRecoveryResult {
        let extra = ["target_kind IS NOT NULL"]
        if dryRun {
            var result = try await count(query, extra: extra)
            result.changed = result.matched
            return result
        }
        return try await inBatches(query, extra: extra, routing: false) { [self] leads, result, audit, connection, _ in
            let now = Date()
            for lead in leads {
                try await Self.requeue(lead.id, connection, logger: logger)
                audit.append(NewAuditEvent(type: "lead.redelivered", entityKind: "lead", entityID: lead.id,
                                           before: .object(["status": .string(lead.status.rawValue)]),
                                           after: .object(["status": .string("queued"), "bulk": .bool(true)])), actor: actor, at: now)
                result.changed += 1
            }
        } finish: { result, audit in
            audit.append(NewAuditEvent(type: "leads.redelivered", entityKind: "leads", entityID: nil,
                                       after: .object(["filter": filter, "redelivered": .number(Double(result.changed))])), actor: actor)
        }
    }

    /// As SQLite's: every dead or unrouted lead `query` matches decided again under the current
    /// policy, under the routing lock; the decision replaced kept in its `lead.rerouted` event.
    public func reroute(matching query: LeadQuery, filter: JSONValue, dryRun: Bool, actor: AuditActor,
                        dayTimeZone: TimeZone) async throws -> BulkRecoveryResult {
        if dryRun {
            var result = try await count(query, extra: [])
            let (changed, unrouted) = try await transaction { [self] connection in
                let (policy, _) = try await policyInForce(connection)
                let now = Date()
                var routing = try await PostgresRouting(connection, logger: logger, now: now, timeZone: dayTimeZone, policy: policy)
                var (changed, unrouted) = (0, 0)
                for lead in try await batch(query, extra: [], after: nil, limit: nil, connection) {
                    let engineLead = try await self.engineLead(lead, connection)
                    let outcome = RoutingEngine.decide(engineLead, policy: policy,
                                                       state: try await routing.state(for: engineLead, policy: policy, now: now, connection, logger: logger))
                    routing.apply(outcome)
                    if outcome.decision.target == nil { unrouted += 1 } else { changed += 1 }
                }
                // Nothing written: the transaction only read.
                return (changed, unrouted)
            }
            result.changed = changed
            result.unrouted = unrouted
            return result
        }
        return try await inBatches(query, extra: [], routing: true) { [self] leads, result, audit, connection, context in
            let (policy, version) = (context!.policy, context!.version)
            let now = Date()
            var routing = try await PostgresRouting(connection, logger: logger, now: now, timeZone: dayTimeZone, policy: policy)
            for lead in leads {
                let old = try await PostgresLeadRows.fetch(id: lead.id, connection, logger: logger)
                let engineLead: Lead
                if let old { engineLead = old.engineLead } else { engineLead = try await self.engineLead(lead, connection) }
                let state = try await routing.state(for: engineLead, policy: policy, now: now, connection, logger: logger)
                let outcome = RoutingEngine.decide(engineLead, policy: policy, state: state)
                routing.apply(outcome)
                let status = try await PostgresLeadRows.update(id: lead.id, decision: outcome.decision,
                                                               state: state.restricted(to: outcome.decision, policy: policy),
                                                               policyVersion: version, now: now, connection, logger: logger)
                if status == .unrouted { result.unrouted += 1 } else { result.changed += 1 }
                audit.append(NewAuditEvent(type: "lead.rerouted", entityKind: "lead", entityID: lead.id,
                                           before: RerouteHistory.replaced(lead, decision: old?.decision),
                                           after: try RerouteHistory.decided(outcome.decision, status: status, policyVersion: version)),
                             actor: actor, at: now)
            }
            try await routing.flush(connection, logger: logger)
        } finish: { result, audit in
            audit.append(NewAuditEvent(type: "leads.rerouted", entityKind: "leads", entityID: nil,
                                       after: .object(["filter": filter, "rerouted": .number(Double(result.changed)),
                                                       "unrouted": .number(Double(result.unrouted))])), actor: actor)
        }
    }

    private func engineLead(_ lead: LeadSummary, _ connection: PostgresConnection) async throws -> Lead {
        let text = try await connection.query("SELECT fields_json FROM lead WHERE id = \(lead.id)", logger: logger).collect().first?.decode(String.self)
        return lead.engineLead(fields: try text.map(LeadColumns.fields) ?? [:])
    }

    private func count(_ query: LeadQuery, extra: [String]) async throws -> BulkRecoveryResult {
        try await withConnection { [self] connection in
            var statement = PostgresStatement()
            let conditions = PostgresLeadRows.conditions(query, &statement) + extra
            statement.append("SELECT COUNT(*) FROM lead")
            if !conditions.isEmpty { statement.append(" WHERE " + conditions.joined(separator: " AND ")) }
            let matched = try await connection.query(statement.query, logger: logger).collect().first?.decode(Int.self) ?? 0
            return BulkRecoveryResult(matched: matched,
                                      sample: try await batch(query, extra: extra, after: nil, limit: BulkRecoveryResult.sampleSize, connection))
        }
    }

    /// Matches after `after` in (received_at, id) order, oldest first.
    private func batch(_ query: LeadQuery, extra: [String], after: LeadCursor?, limit: Int?, _ connection: PostgresConnection) async throws -> [LeadSummary] {
        var statement = PostgresStatement()
        var conditions = PostgresLeadRows.conditions(query, &statement) + extra
        if let after {
            let receivedAt = statement.bind(after.receivedAt)
            let id = statement.bind(after.id)
            conditions.append("(received_at, id) > (\(receivedAt), \(id))")
        }
        statement.append("SELECT " + PostgresLeadRows.summaryColumns + " FROM lead")
        if !conditions.isEmpty { statement.append(" WHERE " + conditions.joined(separator: " AND ")) }
        statement.append(" ORDER BY received_at, id")
        if let limit { statement.append(" LIMIT " + statement.bind(limit)) }
        return try await connection.query(statement.query, logger: logger).columns().map(PostgresLeadRows.summary)
    }

    struct RoutingContext: Sendable {
        let policy: Policy
        let version: Int?
    }

    /// Runs `change` over the matches one batch per transaction (with the routing lock and the policy
    /// in force when `routing`), walking forward by position so no lead is read twice; `finish`
    /// adds the run's own event to the last batch. A run that matches nothing writes nothing.
    private func inBatches(_ query: LeadQuery, extra: [String], routing: Bool,
                           change: @escaping @Sendable ([LeadSummary], inout BulkRecoveryResult, inout PostgresAuditWriter, PostgresConnection,
                                                        RoutingContext?) async throws -> Void,
                           finish: @escaping @Sendable (BulkRecoveryResult, inout PostgresAuditWriter) -> Void) async throws -> BulkRecoveryResult {
        var result = BulkRecoveryResult()
        var after: LeadCursor?
        while true {
            let (batchResult, last, done) = try await transaction { [self, result, after] connection in
                var result = result
                var context: RoutingContext?
                if routing {
                    let (policy, version) = try await policyInForce(connection)
                    try await PostgresRouting.lock(connection, logger: logger)
                    context = RoutingContext(policy: policy, version: version)
                }
                // The batch's rows locked: a delivery recording an outcome meanwhile waits for this commit.
                let leads = try await batch(query, extra: extra, after: after, limit: BulkRecovery.batchSize, connection)
                if !leads.isEmpty {
                    try await connection.query("SELECT id FROM lead WHERE id = ANY(\(leads.map(\.id))) ORDER BY id FOR UPDATE", logger: logger)
                }
                if result.sample.count < BulkRecoveryResult.sampleSize {
                    result.sample += leads.prefix(BulkRecoveryResult.sampleSize - result.sample.count)
                }
                result.matched += leads.count
                var audit = PostgresAuditWriter()
                try await change(leads, &result, &audit, connection, context)
                let done = leads.count < BulkRecovery.batchSize
                if done, result.matched > 0 { finish(result, &audit) }
                try await audit.write(connection, logger: logger)
                return (result, leads.last?.cursor, done)
            }
            result = batchResult
            after = last ?? after
            if done { return result }
        }
    }
}
