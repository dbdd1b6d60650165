import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// Maps leads, their decisions and their delivery attempts onto `lead`, `outbox` and
/// `delivery_attempt`.
enum LeadTables {
    static let decoder = JSONDecoder()

    // The columns every lead writes, by `JSONText` (what `encoder` would write, at a fraction of the cost).
    /// A lead's stored fields.
    static func fields(_ text: String) throws -> [String: JSONValue] {
        try LeadColumns.fields(text)
    }

    /// What the engine matches on for a lead read as a summary: its stored fields looked up beside it.
    static func engineLead(_ summary: LeadSummary, in db: Database) throws -> Lead {
        let text = try String.fetchOne(try db.cachedStatement(sql: "SELECT fields_json FROM lead WHERE id = ?"), arguments: [summary.id])
        return summary.engineLead(fields: try text.map(fields) ?? [:])
    }

    /// A lead's stored tags (`tags_json`, an array of strings). Read for every row of an audit page or
    /// CSV export: `JSONDecoder` took several microseconds a row.
    static func tags(_ text: String) throws -> [String] {
        try LeadColumns.tags(text)
    }

    /// A routing state in full (as stored before rotations were replayed).
    static func text(_ state: RoutingState) -> String {
        LeadColumns.text(state)
    }

    /// A routing state as a lead received at `receivedAt` stores it (`StoredState` reads it).
    static func text(_ state: RoutingState, rotationSeqs: [String: Int], receivedAt: String?) -> String {
        var text = JSONText(capacity: 128)
        text.leanState(state, rotationSeqs: rotationSeqs, receivedAt: receivedAt)
        return text.text
    }

    static func text(_ fields: [String: JSONValue]) -> String {
        LeadSubmission.Columns.text(fields)
    }

    static func text(_ tags: [String]) -> String {
        LeadSubmission.Columns.text(tags)
    }

    /// Inserts a new lead; a routed one also enters the outbox, due at once.
    /// The decision itself is not written: it is decided again from the state and the policy version
    /// when read (see `DecisionReplay`).
    /// `picksRead` is each pool's count of picks when the state was read (the rotations are stored as
    /// that place, see `RotationReplay`); `pick` the pick this decision made, if any.
    static func insert(_ submission: LeadSubmission, id: String, decision: Decision, state: RoutingState, picksRead: [String: Int],
                       pick: (poolID: String, seq: Int)?, policyVersion: Int?, now: Date, in db: Database) throws -> LeadStatus {
        let status: LeadStatus = decision.target == nil ? .unrouted : .queued
        let at = Timestamp.string(now)
        try db.executeCached(
            sql: """
                INSERT INTO lead (id, received_at, vendor_id, email, campaign_id, tags_json, fields_json, status, rule_id,
                                  target_kind, target_agent_id, target_account_id, decision_json, attempts, updated_at,
                                  policy_version, state_json, rotation_pool, rotation_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
                """,
            arguments: [id, submission.columns.receivedAt, submission.vendorID, submission.lead.normalizedEmail,
                        submission.lead.campaignID, submission.columns.tags, submission.columns.fields, status.rawValue,
                        decision.ruleID, decision.target?.kind, decision.target?.agentID, decision.target?.accountID,
                        DecisionReplay.rederived, at, policyVersion,
                        text(state, rotationSeqs: picksRead, receivedAt: submission.columns.receivedAt), pick?.poolID, pick?.seq])
        if decision.target != nil {
            try db.executeCached(sql: "INSERT INTO outbox (lead_id, due_at) VALUES (?, ?)", arguments: [id, at])
        }
        return status
    }

    /// Records a duplicate: kept for the record, never routed or delivered.
    static func insertDuplicate(_ submission: LeadSubmission, id: String, of first: String, now: Date, in db: Database) throws {
        try db.executeCached(
            sql: """
                INSERT INTO lead (id, received_at, vendor_id, email, campaign_id, tags_json, fields_json, status, decision_json,
                                  attempts, updated_at, duplicate_of)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'duplicate', ?, 0, ?, ?)
                """,
            arguments: [id, submission.columns.receivedAt, submission.vendorID, submission.lead.normalizedEmail,
                        submission.lead.campaignID, submission.columns.tags, submission.columns.fields, DecisionReplay.rederived,
                        Timestamp.string(now), first])
    }

    /// Replaces an unrouted lead's decision (reroute); a routed result enters the outbox.
    /// The pick the replaced decision made, if any, is kept as a checkpoint first, so that the pool's
    /// later leads still replay (`RotationReplay.preserve`).
    static func update(id: String, decision: Decision, state: RoutingState, picksRead: [String: Int], pick: (poolID: String, seq: Int)?,
                       policyVersion: Int?, now: Date, policies: PolicyVersionCache, in db: Database) throws -> LeadStatus {
        let status: LeadStatus = decision.target == nil ? .unrouted : .queued
        // The state's time (the reroute's) is written out: it is not the lead's `received_at`.
        let at = Timestamp.string(now)
        if let old = try Row.fetchOne(try db.cachedStatement(sql: "SELECT rotation_pool, rotation_seq FROM lead WHERE id = ? AND rotation_seq IS NOT NULL"),
                                      arguments: [id]) {
            try RotationReplay.preserve(old["rotation_pool"], seq: old["rotation_seq"], policies: policies, in: db)
        }
        try db.executeCached(
            sql: """
                UPDATE lead SET status = ?, rule_id = ?, target_kind = ?, target_agent_id = ?, target_account_id = ?,
                                decision_json = ?, updated_at = ?, policy_version = ?, state_json = ?, rotation_pool = ?, rotation_seq = ?
                WHERE id = ?
                """,
            arguments: [status.rawValue, decision.ruleID, decision.target?.kind, decision.target?.agentID, decision.target?.accountID,
                        DecisionReplay.rederived, at, policyVersion, text(state, rotationSeqs: picksRead, receivedAt: nil), pick?.poolID, pick?.seq, id])
        if decision.target != nil {
            try db.executeCached(sql: "INSERT OR REPLACE INTO outbox (lead_id, due_at) VALUES (?, ?)", arguments: [id, at])
        }
        return status
    }

    /// A duplicate's decision: kept for the record, never routed.
    static func duplicateDecision(of first: String) -> Decision {
        LeadColumns.duplicateDecision(of: first)
    }

    /// With `replayingRotations`, the stored state's rotations are replayed in (for showing the lead);
    /// otherwise a lead stored in the lean form has its state without them.
    static func fetch(id: String, policies: PolicyVersionCache, replayingRotations: Bool = false, in db: Database) throws -> StoredLead? {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(LeadTables.summaryColumns), fields_json, decision_json, state_json, duplicate_of FROM lead WHERE id = ?",
                                         arguments: [id]) else { return nil }
        let attempts = try Row.fetchAll(db, sql: "SELECT * FROM delivery_attempt WHERE lead_id = ? ORDER BY id", arguments: [id]).map { row in
            DeliveryAttempt(at: row["at"], httpStatus: row["http_status"], crmSuccess: row["crm_success"], error: row["error"],
                            durationMS: row["duration_ms"], responseBody: row["response_body"], detail: row["detail"])
        }
        return try lead(from: row, deliveryAttempts: attempts, policies: policies, replayingRotations: replayingRotations, in: db)
    }

    static func target(kind: String?, agentID: String?, accountID: String?) -> Target? {
        LeadColumns.target(kind: kind, agentID: agentID, accountID: accountID)
    }

    /// The columns a lead summary is read from, in the order `summary(fromSummaryColumns:)` reads them.
    static let summaryColumns = """
        id, received_at, vendor_id, email, campaign_id, tags_json, rule_id, target_kind, target_agent_id,
        target_account_id, status, attempts, updated_at, policy_version
        """

    /// A summary from a row of `summaryColumns`, read by position. Read by name, GRDB compares the
    /// names of the row's columns case-insensitively for every value, which was a fifth of the time of
    /// a CSV export.
    static func summary(fromSummaryColumns row: Row) throws -> LeadSummary {
        LeadSummary(
            id: row[0], receivedAt: row[1], vendorID: row[2], email: row[3], campaignID: row[4], tags: try tags(row[5]),
            ruleID: row[6], target: target(kind: row[7], agentID: row[8], accountID: row[9]),
            status: LeadStatus(rawValue: row[10]) ?? .queued, attempts: row[11], updatedAt: row[12], policyVersion: row[13])
    }

    /// A whole lead from a row of `summaryColumns` followed by `fields_json`, `decision_json`,
    /// `state_json` and `duplicate_of`; its decision decided again when it was stored that way.
    static func lead(from row: Row, deliveryAttempts: [DeliveryAttempt], policies: PolicyVersionCache, replayingRotations: Bool,
                     in db: Database) throws -> StoredLead {
        let summary = try summary(fromSummaryColumns: row)
        let stored = try (row[16] as String?).map { try StoredState.parse($0, receivedAt: summary.receivedAt) }
        var state = stored?.state
        let fields = try fields(row[14])
        if replayingRotations, let stored {
            // A rotation that cannot be replayed (a pick not recorded, which no writer leaves) must not
            // cost the lead its page: it is shown without the rotations, and its decision still is.
            state = (try? RotationReplay.replayed(stored, policies: policies, in: db)) ?? stored.state
        }
        return StoredLead(
            summary: summary,
            fields: fields,
            decision: try DecisionReplay.decision(text: row[15], lead: summary.engineLead(fields: fields), state: stored?.state,
                                                  pick: summary.target?.agentID,
                                                  policyVersion: summary.policyVersion,
                                                  duplicateOf: row[17], policies: policies, in: db),
            state: state,
            deliveryAttempts: deliveryAttempts)
    }
}
