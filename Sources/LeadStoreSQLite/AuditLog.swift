import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// Appends to and reads the hash-chained `audit_event` table.
enum AuditLog {
    static var encoder: JSONEncoder { PolicyColumnJSON.encoder }

    /// The stored text of a before or after document: keys sorted, as `encoder` writes it.
    static func text(_ value: JSONValue?) throws -> String? {
        AuditText.text(value)
    }

    /// Each event's `prev_hash`, read beside it: the hash of the event before it in the log (by its
    /// position, the table's row id), or 64 zeros for the first. Stored, it repeated the row before's
    /// `hash` in every row — 64 bytes an event, four events a lead.
    static let previousHashColumn = """
        COALESCE((SELECT previous.hash FROM audit_event AS previous WHERE previous.seq < audit_event.seq ORDER BY previous.seq DESC LIMIT 1),
                 '0000000000000000000000000000000000000000000000000000000000000000') AS prev_hash
        """

    /// The events every lead has, which the index on `type` leaves out (`v12`).
    static let everyLeadsTypes: Set<String> = ["lead.received", "lead.routed", "lead.attempted", "lead.delivered"]

    /// The partial index's own condition, written out beside a filter on any other type so that SQLite
    /// may use the index (it uses a partial index only when the query's terms include its condition).
    static let rareTypesCondition = "type NOT IN ('lead.received', 'lead.routed', 'lead.attempted', 'lead.delivered')"

    /// The query for `query`'s events, newest first, each with its `prev_hash`.
    static func statement(_ query: AuditEventQuery) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let type = query.type {
            conditions.append("type = ?")
            arguments += [type]
            if !everyLeadsTypes.contains(type) { conditions.append(rareTypesCondition) }
        }
        if let since = query.since {
            conditions.append("at >= ?")
            arguments += [Timestamp.string(since)]
        }
        if let until = query.until {
            conditions.append("at < ?")
            arguments += [Timestamp.string(until)]
        }
        // With a time range the page is read along the index on `at`, newest first, in the order of
        // (at, seq): sorting a day's events by `seq` instead took 160 ms at a million leads (a day is
        // some 40,000 events) against 0.1 ms. Events are appended in time order, so the two orders are
        // the same but where a clock was set back; the cursor (an event's seq) continues from that
        // event in whichever order the page was read.
        let byTime = query.since != nil || query.until != nil
        if let beforeSeq = query.beforeSeq {
            if byTime {
                conditions.append("at <= (SELECT cursor.at FROM audit_event AS cursor WHERE cursor.seq = ?)")
                conditions.append("NOT (at = (SELECT cursor.at FROM audit_event AS cursor WHERE cursor.seq = ?) AND seq >= ?)")
                arguments += [beforeSeq, beforeSeq, beforeSeq]
            } else {
                conditions.append("seq < ?")
                arguments += [beforeSeq]
            }
        }
        if let kind = query.entityKind {
            conditions.append("entity_kind = ?")
            arguments += [kind]
            // Written out so that SQLite may use the partial index of events about anything but a lead.
            if kind != "lead" { conditions.append("entity_kind <> 'lead'") }
        }
        if let id = query.entityID {
            conditions.append("entity_id = ?")
            arguments += [id]
        }
        if let actor = query.actor {
            conditions.append("(actor_id = ? OR actor_name = ?)")
            arguments += [actor, actor]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [query.limit]
        let order = byTime ? "at DESC, seq DESC" : "seq DESC"
        let sql = "SELECT *, \(AuditLog.previousHashColumn) FROM audit_event \(filter) ORDER BY \(order) LIMIT ?"
        return (sql, arguments)
    }

    /// Appends one event inside the caller's write transaction, chained to the last one.
    static func append(_ event: NewAuditEvent, actor: AuditActor, in db: Database) throws {
        var writer = try AuditWriter(db)
        try writer.append(event, actor: actor, in: db)
    }

    /// An event from a row of `audit_event` with the previous event's hash beside it (`prev_hash`,
    /// which is not stored: it is the hash of the row before, see `previousHashColumn`).
    static func event(from row: Row) -> AuditEvent {
        AuditEvent(
            seq: row["seq"], at: row["at"], type: row["type"],
            actor: AuditActor(kind: AuditActor.Kind(rawValue: row["actor_kind"]) ?? .service, id: row["actor_id"], name: row["actor_name"]),
            entityKind: row["entity_kind"], entityID: row["entity_id"],
            before: row["before_json"], after: row["after_json"],
            prevHash: row["prev_hash"], hash: row["hash"])
    }
}

extension SQLiteStore: AuditEventRepository {
    public func auditEvents(_ query: AuditEventQuery) async throws -> [AuditEvent] {
        try await pool.read { db in
            let statement = AuditLog.statement(query)
            return try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).map(AuditLog.event(from:))
        }
    }

    public func verifyAuditChain() async throws -> ChainVerification {
        try await pool.read { db in try AuditChain.verify(db) }
    }
}
