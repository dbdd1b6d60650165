import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// Leads, their decisions and delivery attempts on `lead`, `outbox` and `delivery_attempt`.
enum PostgresLeadRows {
    static let summaryColumns = """
        id, received_at, vendor_id, email, campaign_id, tags_json, rule_id, target_kind, target_agent_id,
        target_account_id, status, attempts, updated_at, policy_version
        """

    static func summary(_ row: PostgresColumns) throws -> LeadSummary {
        LeadSummary(
            id: try row["id"], receivedAt: try row["received_at"], vendorID: try row["vendor_id"], email: try row["email"],
            campaignID: try row["campaign_id"], tags: try LeadColumns.tags(try row["tags_json"]), ruleID: try row["rule_id"],
            target: LeadColumns.target(kind: try row["target_kind"], agentID: try row["target_agent_id"], accountID: try row["target_account_id"]),
            status: LeadStatus(rawValue: try row["status"]) ?? .queued, attempts: try row["attempts"], updatedAt: try row["updated_at"],
            policyVersion: try row["policy_version"])
    }

    /// A decision as stored: written out, as the engine made it.
    static func text(_ decision: Decision) throws -> String {
        try PolicyColumnJSON.text(decision)
    }

    static func decision(_ text: String) throws -> Decision {
        try PolicyColumnJSON.decode(Decision.self, text)
    }

    static func state(_ text: String?) throws -> RoutingState? {
        try text.map { try PolicyColumnJSON.decode(RoutingState.self, $0) }
    }

    /// New leads of one batch, written together: one statement for the leads and one for their outbox
    /// entries instead of two a lead. Each statement is a round trip under the routing lock, which every
    /// instance's batches wait for: at 32 connections, two round trips a lead were most of a batch's time.
    /// Whatever reads leads inside the batch (a duplicate's search, sticky routing, a repeated key's
    /// answer) writes the pending ones first (`write`), so that it sees them.
    struct PendingLeads {
        private var rows: [(id: String, submission: LeadSubmission, status: LeadStatus, decision: Decision, decisionText: String,
                            stateText: String, policyVersion: Int?, at: String)] = []

        var isEmpty: Bool { rows.isEmpty }

        /// Adds a decided lead; returns its status.
        mutating func add(_ submission: LeadSubmission, id: String, decision: Decision, state: RoutingState, policyVersion: Int?,
                          now: Date) throws -> LeadStatus {
            let status: LeadStatus = decision.target == nil ? .unrouted : .queued
            rows.append((id, submission, status, decision, try PostgresLeadRows.text(decision), LeadColumns.text(state), policyVersion,
                         Timestamp.string(now)))
            return status
        }

        /// Writes the pending leads and the outbox entries of the routed ones.
        mutating func write(_ connection: PostgresConnection, logger: Logger) async throws {
            for start in stride(from: 0, to: rows.count, by: 1_000) {
                let chunk = rows[start..<min(start + 1_000, rows.count)]
                var leads = PostgresStatement("""
                    INSERT INTO lead (id, received_at, vendor_id, email, campaign_id, tags_json, fields_json, status, rule_id,
                                      target_kind, target_agent_id, target_account_id, decision_json, attempts, updated_at, policy_version, state_json) VALUES
                    """)
                var outbox = PostgresStatement("INSERT INTO outbox (lead_id, due_at) VALUES")
                var routed = 0
                for (index, row) in chunk.enumerated() {
                    let submission = row.submission
                    let values = [leads.bind(row.id), leads.bind(submission.columns.receivedAt), leads.bind(submission.vendorID),
                                  leads.bind(submission.lead.normalizedEmail), leads.bind(submission.lead.campaignID), leads.bind(submission.columns.tags),
                                  leads.bind(submission.columns.fields), leads.bind(row.status.rawValue), leads.bind(row.decision.ruleID),
                                  leads.bind(row.decision.target?.kind), leads.bind(row.decision.target?.agentID),
                                  leads.bind(row.decision.target?.accountID), leads.bind(row.decisionText), "0", leads.bind(row.at),
                                  leads.bind(row.policyVersion), leads.bind(row.stateText)]
                    leads.append((index == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")")
                    if row.decision.target != nil {
                        outbox.append((routed == 0 ? " (" : ", (") + outbox.bind(row.id) + ", " + outbox.bind(row.at) + ")")
                        routed += 1
                    }
                }
                try await connection.query(leads.query, logger: logger)
                if routed > 0 { try await connection.query(outbox.query, logger: logger) }
            }
            rows.removeAll()
        }
    }

    /// Records a duplicate: kept for the record, never routed or delivered.
    static func insertDuplicate(_ submission: LeadSubmission, id: String, of first: String, now: Date,
                                _ connection: PostgresConnection, logger: Logger) async throws {
        let decisionText = try text(LeadColumns.duplicateDecision(of: first))
        try await connection.query("""
            INSERT INTO lead (id, received_at, vendor_id, email, campaign_id, tags_json, fields_json, status, decision_json,
                              attempts, updated_at, duplicate_of)
            VALUES (\(id), \(submission.columns.receivedAt), \(submission.vendorID), \(submission.lead.normalizedEmail), \(submission.lead.campaignID),
                    \(submission.columns.tags), \(submission.columns.fields), 'duplicate', \(decisionText), 0, \(Timestamp.string(now)), \(first))
            """, logger: logger)
    }

    /// Replaces a lead's decision (a reroute); a routed result enters the outbox, due now.
    static func update(id: String, decision: Decision, state: RoutingState, policyVersion: Int?, now: Date,
                       _ connection: PostgresConnection, logger: Logger) async throws -> LeadStatus {
        let status: LeadStatus = decision.target == nil ? .unrouted : .queued
        let at = Timestamp.string(now)
        let decisionText = try text(decision)
        let stateText = LeadColumns.text(state)
        try await connection.query("""
            UPDATE lead SET status = \(status.rawValue), rule_id = \(decision.ruleID), target_kind = \(decision.target?.kind),
                            target_agent_id = \(decision.target?.agentID), target_account_id = \(decision.target?.accountID),
                            decision_json = \(decisionText), updated_at = \(at), policy_version = \(policyVersion), state_json = \(stateText)
            WHERE id = \(id)
            """, logger: logger)
        if decision.target != nil {
            try await connection.query("""
                INSERT INTO outbox (lead_id, due_at) VALUES (\(id), \(at))
                ON CONFLICT (lead_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, rejections = 0, claimed_until = NULL, claimed_by = NULL
                """, logger: logger)
        }
        return status
    }

    /// A whole lead, with its delivery attempts.
    static func fetch(id: String, _ connection: PostgresConnection, logger: Logger) async throws -> StoredLead? {
        guard let row = try await connection.query("""
            SELECT id, received_at, vendor_id, email, campaign_id, tags_json, rule_id, target_kind, target_agent_id,
                   target_account_id, status, attempts, updated_at, policy_version, fields_json, decision_json, state_json
            FROM lead WHERE id = \(id)
            """, logger: logger).columns().first else { return nil }
        var attempts: [DeliveryAttempt] = []
        for attempt in try await connection.query("""
            SELECT at, http_status, crm_success, error, duration_ms, response_body, detail FROM delivery_attempt WHERE lead_id = \(id) ORDER BY id
            """, logger: logger).columns() {
            attempts.append(DeliveryAttempt(at: try attempt["at"], httpStatus: try attempt["http_status"], crmSuccess: try attempt["crm_success"],
                                            error: try attempt["error"], durationMS: try attempt["duration_ms"],
                                            responseBody: try attempt["response_body"], detail: try attempt["detail"]))
        }
        return StoredLead(summary: try summary(row), fields: try LeadColumns.fields(try row["fields_json"]),
                          decision: try decision(try row["decision_json"]), state: try state(try row["state_json"]), deliveryAttempts: attempts)
    }

    /// The query's filters (all but its cursor and limit) as conditions, every value bound.
    static func conditions(_ query: LeadQuery, _ statement: inout PostgresStatement) -> [String] {
        var conditions: [String] = []
        for (column, value) in query.equalityFilters {
            conditions.append(column + " = " + statement.bind(value))
        }
        if let status = query.status { conditions.append("status = " + statement.bind(status.rawValue)) }
        if let since = query.since { conditions.append("received_at >= " + statement.bind(Timestamp.string(since))) }
        if let until = query.until { conditions.append("received_at < " + statement.bind(Timestamp.string(until))) }
        if let ids = query.leadIDs { conditions.append("id = ANY(" + statement.bind(ids) + ")") }
        return conditions
    }
}
