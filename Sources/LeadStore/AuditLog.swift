import Foundation
import GRDB
import LeadPolicy

/// Appends to and reads the hash-chained `audit_event` table.
enum AuditLog {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func text(_ value: JSONValue?) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Appends one event inside the caller's write transaction, chained to the last one.
    static func append(_ event: NewAuditEvent, actor: AuditActor, in db: Database) throws {
        let prevHash = try String.fetchOne(db, sql: "SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1") ?? AuditChain.genesis
        // Positions are never reused, even after the last row is deleted, so a removed tail shows as a gap.
        let lastSeq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'") ?? 0
        let seq = max(lastSeq, try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_event") ?? 0) + 1
        let at = Timestamp.string(Date())
        let before = try text(event.before)
        let after = try text(event.after)
        let hash = AuditChain.hash(prevHash: prevHash, seq: seq, at: at, type: event.type, actor: actor,
                                   entityKind: event.entityKind, entityID: event.entityID, before: before, after: after)
        try db.execute(
            sql: """
                INSERT INTO audit_event (seq, at, type, actor_kind, actor_id, actor_name, entity_kind, entity_id,
                                         before_json, after_json, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [seq, at, event.type, actor.kind.rawValue, actor.id, actor.name, event.entityKind, event.entityID,
                        before, after, prevHash, hash])
    }

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
    public func auditEvents(type: String?, limit: Int, beforeSeq: Int64?) async throws -> [AuditEvent] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let type {
                conditions.append("type = ?")
                arguments += [type]
            }
            if let beforeSeq {
                conditions.append("seq < ?")
                arguments += [beforeSeq]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM audit_event \(filter) ORDER BY seq DESC LIMIT ?", arguments: arguments)
                .map(AuditLog.event(from:))
        }
    }
}
