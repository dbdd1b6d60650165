import Foundation
import GRDB
import LeadStore

extension AuditChain {
    /// Walks the whole log in order, recomputing every hash from the previous event's hash and the
    /// event's content. An event is broken when that is not its stored hash (its content was edited, or
    /// the event before it was, hash and all), or when its position does not follow the previous one (a
    /// row removed before it). A removed tail shows as positions used but missing.
    static func verify(_ db: Database) throws -> ChainVerification {
        var previousHash = AuditChain.genesis
        var previousSeq: Int64 = 0
        var checked = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT *, '' AS prev_hash FROM audit_event ORDER BY seq")
        /// The result, naming the last event that checked out as the newest.
        func result(ok: Bool, firstBrokenID: String?, problem: String?) -> ChainVerification {
            ChainVerification(ok: ok, checked: checked, firstBrokenID: firstBrokenID, problem: problem,
                              newestID: previousSeq > 0 ? String(previousSeq) : nil, newestHash: previousSeq > 0 ? previousHash : nil)
        }
        while let row = try rows.next() {
            var event = AuditLog.event(from: row)
            event.prevHash = previousHash
            func broken(_ problem: String) -> ChainVerification {
                result(ok: false, firstBrokenID: String(event.seq), problem: problem)
            }
            if event.seq != previousSeq + 1 {
                return broken("event \(previousSeq + 1) is missing before it")
            }
            if AuditChain.hash(of: event) != event.hash {
                return broken("its hash does not follow from the hash of the event before and its own content")
            }
            previousHash = event.hash
            previousSeq = event.seq
            checked += 1
        }
        let used = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'") ?? 0
        if used > previousSeq {
            return result(ok: false, firstBrokenID: String(previousSeq + 1), problem: "events \(previousSeq + 1) to \(used) were written and are gone")
        }
        return result(ok: true, firstBrokenID: nil, problem: nil)
    }
}
