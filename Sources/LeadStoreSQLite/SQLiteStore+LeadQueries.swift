import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore {
    /// One page of leads, newest first.
    public func leads(_ query: LeadQuery) async throws -> [LeadSummary] {
        try await pool.read { db in
            var (conditions, arguments) = Self.conditions(query)
            if let after = query.after {
                conditions.append("(received_at < ? OR (received_at = ? AND id < ?))")
                arguments += [after.receivedAt, after.receivedAt, after.id]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [query.limit]
            let sql = "SELECT \(LeadTables.summaryColumns) FROM lead \(whereClause) ORDER BY received_at DESC, id DESC LIMIT ?"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(LeadTables.summary(fromSummaryColumns:))
        }
    }

    /// The query's filters (all but its cursor and limit) as SQL conditions and their arguments.
    /// Every filter but `status` is a bound argument on an indexed column.
    static func conditions(_ query: LeadQuery) -> (conditions: [String], arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        for (column, value) in query.equalityFilters {
            conditions.append("\(column) = ?")
            arguments += [value]
        }
        if let status = query.status {
            // A literal (one of a fixed set, never the client's text): SQLite picks a partial
            // index only when the query's own words imply the index's condition.
            conditions.append("status = '\(status.rawValue)'")
        }
        if let since = query.since {
            conditions.append("received_at >= ?")
            arguments += [Timestamp.string(since)]
        }
        if let until = query.until {
            conditions.append("received_at < ?")
            arguments += [Timestamp.string(until)]
        }
        if let ids = query.leadIDs {
            conditions.append("id IN (\(ids.isEmpty ? "NULL" : Array(repeating: "?", count: ids.count).joined(separator: ", ")))")
            arguments += StatementArguments(ids)
        }
        return (conditions, arguments)
    }

    public func decidedLeads(since: Date?, until: Date?) async throws -> [DecidedLead] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let since {
                conditions.append("received_at >= ?")
                arguments += [Timestamp.string(since)]
            }
            if let until {
                conditions.append("received_at < ?")
                arguments += [Timestamp.string(until)]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let policies = policyVersions
            let rows = try Row.fetchCursor(
                db, sql: """
                    SELECT id, received_at, vendor_id, email, campaign_id, tags_json, decision_json, state_json, policy_version, duplicate_of,
                           target_agent_id, fields_json
                    FROM lead \(whereClause) ORDER BY received_at, id
                    """,
                arguments: arguments)
            var result: [DecidedLead] = []
            while let row = try rows.next() {
                let tags = try LeadTables.tags(row["tags_json"])
                let lead = Lead(vendorID: row["vendor_id"], email: row["email"], campaignID: row["campaign_id"], tags: tags,
                                fields: try LeadTables.fields(row["fields_json"]))
                let receivedAt: String = row["received_at"]
                let state = try (row["state_json"] as String?).map { try StoredState.parse($0, receivedAt: receivedAt).state }
                result.append(DecidedLead(
                    id: row["id"], receivedAt: Timestamp.parse(receivedAt) ?? Date(), lead: lead,
                    decision: try DecisionReplay.decision(text: row["decision_json"], lead: lead, state: state, pick: row["target_agent_id"],
                                                          policyVersion: row["policy_version"],
                                                          duplicateOf: row["duplicate_of"], policies: policies, in: db)))
            }
            return result
        }
    }

    public func statusCounts(since: Date) async throws -> [LeadStatus: Int] {
        try await pool.read { db in
            var counts: [LeadStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM lead WHERE received_at >= ? GROUP BY status",
                                        arguments: [Timestamp.string(since)]) {
                if let status = LeadStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }
}
