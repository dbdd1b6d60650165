import Foundation
import GRDB
import LeadStore

/// Tells a write refused for lack of space from any other failure, without the HTTP layer knowing
/// which database is behind the store.
public enum StorageFailure {
    /// True when `error` says the disk (or the database's size limit) is full: SQLite's `SQLITE_FULL`,
    /// which it answers for `ENOSPC` on any write, the WAL's included.
    public static func isFull(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_FULL
    }
}

extension SQLiteStore {
    public func isStorageFull(_ error: any Error) -> Bool {
        StorageFailure.isFull(error)
    }

    /// Commits one tiny write (the `storage_probe` row), to learn whether the disk takes writes again
    /// after it was full, when nothing else writes (a full service gets no leads to try with).
    public func probeWrite() async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO storage_probe (id, at) VALUES (1, ?)", arguments: [Timestamp.string(Date())])
        }
    }
}
