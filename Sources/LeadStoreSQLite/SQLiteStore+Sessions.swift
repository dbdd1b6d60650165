import Foundation
import GRDB
import LeadStore

/// Console sessions in the `console_session` table.
extension SQLiteStore: SessionRepository {
    public func sessionValue(keyHash: String, now: Date) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM console_session WHERE key_hash = ? AND expires_at > ?",
                                arguments: [keyHash, Timestamp.string(now)])
        }
    }

    public func saveSession(keyHash: String, value: String, expiresAt: Date?, defaultExpiry: Date, create: Bool) async throws -> Bool {
        try await pool.write { db in
            let expires = Timestamp.string(expiresAt ?? defaultExpiry)
            if create {
                try db.execute(sql: "INSERT OR IGNORE INTO console_session (key_hash, value, expires_at) VALUES (?, ?, ?)",
                               arguments: [keyHash, value, expires])
            } else if expiresAt == nil {
                try db.execute(sql: """
                    INSERT INTO console_session (key_hash, value, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value
                    """, arguments: [keyHash, value, expires])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO console_session (key_hash, value, expires_at) VALUES (?, ?, ?)",
                               arguments: [keyHash, value, expires])
            }
            return db.changesCount > 0
        }
    }

    public func renewSession(keyHash: String, expiresAt: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE console_session SET expires_at = ? WHERE key_hash = ?", arguments: [Timestamp.string(expiresAt), keyHash])
            return db.changesCount > 0
        }
    }

    public func removeSession(keyHash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM console_session WHERE key_hash = ?", arguments: [keyHash]) }
    }

    public func removeExpiredSessions(now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE expires_at <= ?", arguments: [Timestamp.string(now)])
            return db.changesCount
        }
    }
}
