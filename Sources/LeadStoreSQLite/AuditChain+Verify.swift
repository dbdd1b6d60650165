import Foundation
import GRDB
import LeadStore

extension AuditChain {
    /// Walks the whole log in order (`AuditChainWalk`); positions handed out are SQLite's
    /// `sqlite_sequence` for the table, which never goes back.
    static func verify(_ db: Database) throws -> ChainVerification {
        var walk = AuditChainWalk()
        let rows = try Row.fetchCursor(db, sql: "SELECT *, '' AS prev_hash FROM audit_event ORDER BY seq")
        while let row = try rows.next() {
            if let broken = walk.check(AuditLog.event(from: row)) { return broken }
        }
        return walk.finish(positionsUsed: try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'") ?? 0)
    }
}
