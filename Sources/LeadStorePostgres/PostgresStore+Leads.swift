import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

extension PostgresStore: LeadRepository {
    /// The policy in force for a decision, under the policy lock (shared) so no change is half seen.
    func policyInForce(_ connection: PostgresConnection) async throws -> (policy: Policy, version: Int?) {
        try await PolicyLock.shared(connection, logger: logger)
        // One statement for both (each is a round trip inside the transaction), after the lock's own.
        let row = try await connection.query("""
            SELECT (SELECT generation FROM policy_generation WHERE id = 1), (SELECT MAX(version) FROM policy_version)
            """, logger: logger).collect().first
        let (generation, version) = try row?.decode((Int, Int?).self) ?? (0, nil)
        if let cached = policyCache.cached(version: generation) { return (cached, version) }
        let policy = try await PostgresPolicyTables.load(connection, logger: logger).policy
        policyCache.keep(policy, version: generation)
        return (policy, version)
    }

    /// Decides and commits the batch in one transaction, after the routing lock (see `PostgresRouting`):
    /// repeats and duplicates recognised, each lead decided with the rotations the one before left,
    /// written with its decision and outbox entry, rotations and counts written, and its audit events
    /// chained last.
    public func accept(_ submissions: [LeadSubmission], dayTimeZone: TimeZone) async throws -> [AcceptedLead] {
        guard !submissions.isEmpty else { return [] }
        return try await transaction { [self] connection in
            let (policy, version) = try await policyInForce(connection)
            try await PostgresRouting.lock(connection, logger: logger)
            let now = Date()
            var routing = try await PostgresRouting(connection, logger: logger, now: now, timeZone: dayTimeZone, policy: policy)
            let repeats = try await PostgresRepeats(connection, logger: logger, now: now)
            var audit = PostgresAuditWriter()
            var pending = PostgresLeadRows.PendingLeads()
            let readsLeads = repeats.readsLeads || policy.pools.contains { $0.stickyDays > 0 }
            var accepted: [AcceptedLead] = []
            for submission in submissions {
                // What follows reads leads: the batch's leads so far are written first, so it sees them.
                if (readsLeads || submission.idempotencyKey != nil), !pending.isEmpty { try await pending.write(connection, logger: logger) }
                if let answer = try await repeats.earlierAnswer(for: submission, connection) {
                    accepted.append(answer)
                    continue
                }
                if let first = try await repeats.duplicateOf(submission, connection) {
                    let id = LeadIDs.make(at: submission.receivedAt)
                    try await PostgresLeadRows.insertDuplicate(submission, id: id, of: first.id, now: now, connection, logger: logger)
                    audit.append(NewAuditEvent(type: "lead.duplicate", entityKind: "lead", entityID: id,
                                               after: .object(["duplicate_of": .string(first.id), "vendor_id": .string(submission.vendorID)])),
                                 actor: .vendor(submission.vendorID), at: now)
                    try await repeats.remember(submission, leadID: first.id, connection)
                    accepted.append(AcceptedLead(leadID: first.id, status: first.status, decision: nil, disposition: .repeated))
                    continue
                }
                let state = try await routing.state(for: submission.lead, policy: policy, now: now, connection, logger: logger)
                let decisionStarted = ContinuousClock.now
                let outcome = RoutingEngine.decide(submission.lead, policy: policy, state: state)
                let decisionDuration = ContinuousClock.now - decisionStarted
                routing.apply(outcome)
                let id = LeadIDs.make(at: submission.receivedAt)
                let read = state.restricted(to: outcome.decision, policy: policy)
                let status = try pending.add(submission, id: id, decision: outcome.decision, state: read, policyVersion: version, now: now)
                for event in LeadEvents.decided(id, vendorID: submission.vendorID, decision: outcome.decision, status: status, policyVersion: version) {
                    audit.append(event, actor: .vendor(submission.vendorID), at: now)
                }
                try await repeats.remember(submission, leadID: id, connection)
                accepted.append(AcceptedLead(leadID: id, status: status, decision: outcome.decision, decisionDuration: decisionDuration, state: read))
            }
            try await pending.write(connection, logger: logger)
            try await routing.flush(connection, logger: logger)
            try await audit.write(connection, logger: logger)
            return accepted
        }
    }

    public func preview(_ lead: Lead, at now: Date, draft: Policy?, dayTimeZone: TimeZone) async throws -> Decision {
        try await transaction { [self] connection in
            var policy: Policy
            if let draft { policy = draft } else { policy = try await policyInForce(connection).policy }
            let routing = try await PostgresRouting(connection, logger: logger, now: now, timeZone: dayTimeZone, policy: policy)
            return RoutingEngine.decide(lead, policy: policy,
                                        state: try await routing.state(for: lead, policy: policy, now: now, connection, logger: logger)).decision
        }
    }

    public func poolRotation(_ poolID: String, dayTimeZone: TimeZone) async throws -> PoolRotationView? {
        try await transaction { [self] connection in
            let policy = try await policyInForce(connection).policy
            let now = Date()
            let routing = try await PostgresRouting(connection, logger: logger, now: now, timeZone: dayTimeZone, policy: policy)
            return PoolRotationView(poolID: poolID, policy: policy,
                                    state: try await routing.state(for: Lead(), policy: policy, now: now, connection, logger: logger))
        }
    }

    public func lead(id: String) async throws -> StoredLead? {
        try await withConnection { [logger] connection in try await PostgresLeadRows.fetch(id: id, connection, logger: logger) }
    }

    public func leads(_ query: LeadQuery) async throws -> [LeadSummary] {
        var statement = PostgresStatement()
        var conditions = PostgresLeadRows.conditions(query, &statement)
        if let after = query.after {
            let receivedAt = statement.bind(after.receivedAt)
            let id = statement.bind(after.id)
            conditions.append("(received_at, id) < (\(receivedAt), \(id))")
        }
        statement.append("SELECT " + PostgresLeadRows.summaryColumns + " FROM lead")
        if !conditions.isEmpty { statement.append(" WHERE " + conditions.joined(separator: " AND ")) }
        statement.append(" ORDER BY received_at DESC, id DESC LIMIT " + statement.bind(query.limit))
        return try await columns(statement.query).map(PostgresLeadRows.summary)
    }

    public func decidedLeads(since: Date?, until: Date?) async throws -> [DecidedLead] {
        var statement = PostgresStatement()
        var conditions: [String] = []
        if let since { conditions.append("received_at >= " + statement.bind(Timestamp.string(since))) }
        if let until { conditions.append("received_at < " + statement.bind(Timestamp.string(until))) }
        statement.append("SELECT id, received_at, vendor_id, email, campaign_id, tags_json, fields_json, decision_json FROM lead")
        if !conditions.isEmpty { statement.append(" WHERE " + conditions.joined(separator: " AND ")) }
        statement.append(" ORDER BY received_at, id")
        var result: [DecidedLead] = []
        // Every lead of the range, for a backtest or the fairness figures: longer than one decision's limit.
        for row in try await rows(statement.query, limit: .seconds(600)) {
            let columns = PostgresColumns(row)
            let receivedAt: String = try columns["received_at"]
            let lead = Lead(vendorID: try columns["vendor_id"], email: try columns["email"], campaignID: try columns["campaign_id"],
                            tags: try LeadColumns.tags(try columns["tags_json"]), fields: try LeadColumns.fields(try columns["fields_json"]))
            result.append(DecidedLead(id: try columns["id"], receivedAt: Timestamp.parse(receivedAt) ?? Date(), lead: lead,
                                      decision: try PostgresLeadRows.decision(try columns["decision_json"])))
        }
        return result
    }

    public func leadCounts() async throws -> (leads: Int, outbox: Int) {
        let row = try await rows("SELECT (SELECT COUNT(*) FROM lead), (SELECT COUNT(*) FROM outbox)").first
        let (leads, outbox) = try row?.decode((Int, Int).self) ?? (0, 0)
        return (leads, outbox)
    }

    public func statusCounts(since: Date) async throws -> [LeadStatus: Int] {
        var counts: [LeadStatus: Int] = [:]
        for row in try await rows("""
            SELECT status, COUNT(*) FROM lead WHERE received_at >= \(Timestamp.string(since)) GROUP BY status
            """) {
            let (status, count) = try row.decode((String, Int).self)
            if let status = LeadStatus(rawValue: status) { counts[status] = count }
        }
        return counts
    }

    public func redeliver(id: String, actor: AuditActor) async throws -> StoredLead {
        try await transaction { [self] connection in
            guard let lead = try await PostgresLeadRows.fetch(id: id, connection, logger: logger) else {
                throw PolicyError(.notFound, field: "", "no lead '\(id)'")
            }
            guard [.dead, .retrying].contains(lead.status), lead.target != nil else {
                throw PolicyError(.inUse, field: "status", "lead '\(id)' is \(lead.status.rawValue); only dead or retrying leads are redelivered")
            }
            try await Self.requeue(id, connection, logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "lead.redelivered", entityKind: "lead", entityID: id,
                                                                before: .object(["status": .string(lead.status.rawValue)]),
                                                                after: .object(["status": .string("queued")]))],
                                                 actor: actor, connection, logger: logger)
            return try await PostgresLeadRows.fetch(id: id, connection, logger: logger)!
        }
    }

    /// Queues a lead for delivery again, due now, with a fresh allowance of attempts and no claim.
    static func requeue(_ id: String, _ connection: PostgresConnection, logger: Logger) async throws {
        let now = Timestamp.string(Date())
        try await connection.query("UPDATE lead SET status = 'queued', updated_at = \(now) WHERE id = \(id)", logger: logger)
        try await connection.query("""
            INSERT INTO outbox (lead_id, due_at) VALUES (\(id), \(now))
            ON CONFLICT (lead_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, rejections = 0, claimed_until = NULL, claimed_by = NULL
            """, logger: logger)
    }

    public func reroute(id: String, actor: AuditActor, dayTimeZone: TimeZone) async throws -> StoredLead {
        try await transaction { [self] connection in
            let (policy, version) = try await policyInForce(connection)
            try await PostgresRouting.lock(connection, logger: logger)
            guard let lead = try await PostgresLeadRows.fetch(id: id, connection, logger: logger) else {
                throw PolicyError(.notFound, field: "", "no lead '\(id)'")
            }
            guard lead.status == .unrouted else {
                throw PolicyError(.inUse, field: "status", "lead '\(id)' is \(lead.status.rawValue); only unrouted leads are rerouted")
            }
            let now = Date()
            var routing = try await PostgresRouting(connection, logger: logger, now: now, timeZone: dayTimeZone, policy: policy)
            let state = try await routing.state(for: lead.engineLead, policy: policy, now: now, connection, logger: logger)
            let outcome = RoutingEngine.decide(lead.engineLead, policy: policy, state: state)
            routing.apply(outcome)
            try await routing.flush(connection, logger: logger)
            let status = try await PostgresLeadRows.update(id: id, decision: outcome.decision, state: state.restricted(to: outcome.decision, policy: policy),
                                                           policyVersion: version, now: now, connection, logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "lead.rerouted", entityKind: "lead", entityID: id,
                                                                before: .object(["status": .string(lead.status.rawValue)]),
                                                                after: .object(["status": .string(status.rawValue),
                                                                                "rule_id": outcome.decision.ruleID.map(JSONValue.string) ?? .null]))],
                                                 actor: actor, connection, logger: logger)
            return try await PostgresLeadRows.fetch(id: id, connection, logger: logger)!
        }
    }

    /// The decision is stored written out, so a lead decided by its fields keeps its rule, route and
    /// target once they are erased; its words quoting an erased value say '(erased)' instead.
    public func eraseContactFields(receivedBefore cutoff: Date, actor: AuditActor) async throws -> Int {
        try await transaction { [self] connection in
            let cutoffText = Timestamp.string(cutoff)
            let now = Timestamp.string(Date())
            var erased = 0
            for row in try await connection.query("""
                SELECT id, fields_json, decision_json FROM lead WHERE received_at < \(cutoffText) AND erased_at IS NULL FOR UPDATE
                """, logger: logger).columns() {
                let id: String = try row["id"]
                let fields = try LeadColumns.fields(try row["fields_json"])
                let erasedValues = fields.filter { ContactFields.names.contains($0.key.lowercased()) }.values.compactMap(FieldCondition.text)
                let decision = try PostgresLeadRows.text(try PostgresLeadRows.decision(try row["decision_json"]).redacting(erasedValues))
                let fieldsText = LeadSubmission.Columns.text(ContactFields.erased(fields))
                try await connection.query("""
                    UPDATE lead SET email = NULL, fields_json = \(fieldsText), erased_at = \(now), decision_json = \(decision) WHERE id = \(id)
                    """, logger: logger)
                erased += 1
            }
            if erased > 0 {
                try await PostgresAuditWriter.append([NewAuditEvent(type: "leads.erased", entityKind: "lead", entityID: nil,
                                                                    after: .object(["count": .number(Double(erased)), "received_before": .string(cutoffText)]))],
                                                     actor: actor, connection, logger: logger)
            }
            return erased
        }
    }
}
