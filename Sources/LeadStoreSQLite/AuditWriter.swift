import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// Appends events to the hash chain inside one write transaction, reading the chain's tail once, so
/// a batch of leads costs one read of the tail rather than one per event.
struct AuditWriter {
    private var tail: AuditChainTail

    init(_ db: Database) throws {
        let hash = try String.fetchOne(try db.cachedStatement(sql: "SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1")) ?? AuditChain.genesis
        // Positions are never reused, even after the last row is deleted, so a removed row shows as a gap.
        let used = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'")) ?? 0
        let seq = max(used, try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(seq) FROM audit_event")) ?? 0)
        tail = AuditChainTail(seq: seq, hash: hash)
    }

    mutating func append(_ event: NewAuditEvent, actor: AuditActor, at date: Date = Date(), in db: Database) throws {
        let row = tail.append(event, actor: actor, at: date)
        try db.executeCached(
            sql: """
                INSERT INTO audit_event (seq, at, type, actor_kind, actor_id, actor_name, entity_kind, entity_id,
                                         before_json, after_json, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [row.seq, row.at, row.type, actor.kind.rawValue, actor.id, actor.name, row.entityKind, row.entityID,
                        row.before, row.after, row.hash])
    }
}
