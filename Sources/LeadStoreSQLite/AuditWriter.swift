import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// Appends events to the hash chain inside one write transaction, reading the chain's tail once, so
/// a batch of leads costs one read of the tail rather than one per event.
struct AuditWriter {
    private var prevHash: String
    private var seq: Int64

    init(_ db: Database) throws {
        prevHash = try String.fetchOne(try db.cachedStatement(sql: "SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1")) ?? AuditChain.genesis
        // Positions are never reused, even after the last row is deleted, so a removed row shows as a gap.
        let used = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'")) ?? 0
        seq = max(used, try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(seq) FROM audit_event")) ?? 0)
    }

    /// The last time written, as text: every event of a batch shares the batch's time.
    private var lastAt: (date: Date, text: String)?

    mutating func append(_ event: NewAuditEvent, actor: AuditActor, at date: Date = Date(), in db: Database) throws {
        seq += 1
        let at: String
        if let lastAt, lastAt.date == date {
            at = lastAt.text
        } else {
            at = Timestamp.string(date)
            lastAt = (date, at)
        }
        let before = try AuditLog.text(event.before)
        let after = try event.afterText ?? AuditLog.text(event.after)
        let hash = AuditChain.hash(prevHash: prevHash, seq: seq, at: at, type: event.type, actor: actor,
                                   entityKind: event.entityKind, entityID: event.entityID, before: before, after: after)
        try db.executeCached(
            sql: """
                INSERT INTO audit_event (seq, at, type, actor_kind, actor_id, actor_name, entity_kind, entity_id,
                                         before_json, after_json, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [seq, at, event.type, actor.kind.rawValue, actor.id, actor.name, event.entityKind, event.entityID,
                        before, after, hash])
        prevHash = hash
    }
}
