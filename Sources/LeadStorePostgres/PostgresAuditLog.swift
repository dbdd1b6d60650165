import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// The hash-chained audit log on PostgreSQL.
///
/// Instances append one after another through one row, `audit_chain_head`: a transaction that
/// appends locks it (`FOR UPDATE`) after everything else it locks — so that no two transactions
/// wait for each other in opposite orders — takes the next positions from it and moves it with the
/// events. The next transaction to append waits for that commit and continues from its head, so
/// positions follow commit order with no gap (a rolled-back append moves nothing).
struct PostgresAuditWriter {
    /// The events to append, in order, each with its actor and time: collected while the transaction
    /// does its work, chained and written by `write` once it locks the head, last.
    private var pending: [(event: NewAuditEvent, actor: AuditActor, at: Date)] = []

    init() {}

    var isEmpty: Bool { pending.isEmpty }

    mutating func append(_ event: NewAuditEvent, actor: AuditActor, at date: Date = Date()) {
        pending.append((event, actor, date))
    }

    /// Locks the chain's head — after every other lock the transaction takes — chains the events to
    /// it, writes them and moves the head; the transaction's commit makes them durable.
    func write(_ connection: PostgresConnection, logger: Logger) async throws {
        guard !pending.isEmpty else { return }
        guard let head = try await connection.query("SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE", logger: logger)
            .collect().first else {
            throw StoreError.conflict("the audit log's head row is missing: the database was altered by hand")
        }
        let (seq, hash) = try head.decode((Int64, String).self)
        var tail = AuditChainTail(seq: seq, hash: hash)
        let rows = pending.map { tail.append($0.event, actor: $0.actor, at: $0.at) }
        // Many rows in one statement, at most 5,000 at a time (11 parameters a row; PostgreSQL takes 65,535);
        // the last also moves the head, in the same round trip.
        for start in stride(from: 0, to: rows.count, by: 5_000) {
            let end = min(start + 5_000, rows.count)
            var statement = PostgresStatement(end == rows.count ? "WITH written AS (" : "")
            statement.append("""
                INSERT INTO audit_event (seq, at, type, actor_kind, actor_id, actor_name, entity_kind, entity_id, before_json, after_json, hash) VALUES
                """)
            for (index, row) in rows[start..<end].enumerated() {
                let values = [statement.bind(row.seq), statement.bind(row.at), statement.bind(row.type), statement.bind(row.actor.kind.rawValue),
                              statement.bind(row.actor.id), statement.bind(row.actor.name), statement.bind(row.entityKind),
                              statement.bind(row.entityID), statement.bind(row.before), statement.bind(row.after), statement.bind(row.hash)]
                statement.append((index == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")")
            }
            if end == rows.count {
                let seq = statement.bind(tail.seq)
                let hash = statement.bind(tail.hash)
                statement.append(") UPDATE audit_chain_head SET seq = \(seq), hash = \(hash) WHERE id = 1")
            }
            try await connection.query(statement.query, logger: logger)
        }
    }

    /// Appends `events` by one actor, now.
    static func append(_ events: [NewAuditEvent], actor: AuditActor, _ connection: PostgresConnection, logger: Logger) async throws {
        var writer = PostgresAuditWriter()
        for event in events { writer.append(event, actor: actor) }
        try await writer.write(connection, logger: logger)
    }
}

enum PostgresAuditLog {
    /// The events every lead has, which the index on `type` leaves out.
    static let everyLeadsTypes: Set<String> = ["lead.received", "lead.routed", "lead.attempted", "lead.delivered"]

    /// Each event's `prev_hash`: the hash of the event before it, read beside it, as in SQLite.
    static let columns = """
        seq, at, type, actor_kind, actor_id, actor_name, entity_kind, entity_id, before_json, after_json, hash,
        COALESCE((SELECT previous.hash FROM audit_event AS previous WHERE previous.seq < audit_event.seq ORDER BY previous.seq DESC LIMIT 1),
                 '0000000000000000000000000000000000000000000000000000000000000000') AS prev_hash
        """

    /// The query for `query`'s events, newest first (by position, or along the time index with a time
    /// range, as SQLite reads them), each with its `prev_hash`.
    static func statement(_ query: AuditEventQuery) -> PostgresQuery {
        var statement = PostgresStatement()
        var conditions: [String] = []
        if let type = query.type {
            conditions.append("type = " + statement.bind(type))
            if !everyLeadsTypes.contains(type) {
                conditions.append("type NOT IN ('lead.received', 'lead.routed', 'lead.attempted', 'lead.delivered')")
            }
        }
        if let since = query.since { conditions.append("at >= " + statement.bind(Timestamp.string(since))) }
        if let until = query.until { conditions.append("at < " + statement.bind(Timestamp.string(until))) }
        let byTime = query.since != nil || query.until != nil
        if let beforeSeq = query.beforeSeq {
            let cursor = statement.bind(beforeSeq)
            if byTime {
                conditions.append("(at, seq) < (SELECT cursor.at, cursor.seq FROM audit_event AS cursor WHERE cursor.seq = \(cursor))")
            } else {
                conditions.append("seq < " + cursor)
            }
        }
        if let kind = query.entityKind {
            conditions.append("entity_kind = " + statement.bind(kind))
            if kind != "lead" { conditions.append("entity_kind <> 'lead'") }
        }
        if let id = query.entityID { conditions.append("entity_id = " + statement.bind(id)) }
        if let actor = query.actor {
            let placeholder = statement.bind(actor)
            conditions.append("(actor_id = \(placeholder) OR actor_name = \(placeholder))")
        }
        statement.append("SELECT " + columns + " FROM audit_event")
        if !conditions.isEmpty { statement.append(" WHERE " + conditions.joined(separator: " AND ")) }
        statement.append(byTime ? " ORDER BY at DESC, seq DESC" : " ORDER BY seq DESC")
        statement.append(" LIMIT " + statement.bind(query.limit))
        return statement.query
    }

    static func event(_ row: PostgresColumns) throws -> AuditEvent {
        AuditEvent(
            seq: try row["seq"], at: try row["at"], type: try row["type"],
            actor: AuditActor(kind: AuditActor.Kind(rawValue: try row["actor_kind"]) ?? .service, id: try row["actor_id"], name: try row["actor_name"]),
            entityKind: try row["entity_kind"], entityID: try row["entity_id"],
            before: try row["before_json"], after: try row["after_json"],
            prevHash: try row["prev_hash"], hash: try row["hash"])
    }
}

extension PostgresStore: AuditEventRepository {
    public func auditEvents(_ query: AuditEventQuery) async throws -> [AuditEvent] {
        try await columns(PostgresAuditLog.statement(query)).map(PostgresAuditLog.event)
    }

    /// Walks the whole log in order of position, in one repeatable-read snapshot (appends committed
    /// meanwhile are not half seen); the head row says how many positions were ever handed out.
    public func verifyAuditChain() async throws -> ChainVerification {
        // The whole log, however long: a limit of an hour rather than one operation's.
        try await withConnection(limit: .seconds(3600)) { [logger] connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                var walk = AuditChainWalk()
                var verdict: ChainVerification?
                let rows = try await connection.query("""
                    SELECT seq, at, type, actor_kind, actor_id, actor_name, entity_kind, entity_id, before_json, after_json, hash, '' AS prev_hash
                    FROM audit_event ORDER BY seq
                    """, logger: logger)
                for try await row in rows where verdict == nil {
                    verdict = walk.check(try PostgresAuditLog.event(PostgresColumns(row)))
                }
                let used = try await connection.query("SELECT seq FROM audit_chain_head WHERE id = 1", logger: logger)
                    .collect().first?.decode(Int64.self) ?? 0
                try await connection.query("COMMIT", logger: logger)
                return verdict ?? walk.finish(positionsUsed: used)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
