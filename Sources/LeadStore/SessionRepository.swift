import Foundation
import GRDB

/// Console sessions as opaque values with an expiry, by the hash of their key (the cookie): what a
/// session middleware's persistence needs, and no more. A read of an expired session finds nothing.
public protocol SessionRepository: Sendable {
    /// The value stored for `keyHash`, unless it has expired.
    func sessionValue(keyHash: String, now: Date) async throws -> String?
    /// Writes the value; with `create`, fails (returns false) when the key exists already. A nil
    /// `expiresAt` keeps an existing session's expiry (a new one gets `defaultExpiry`).
    @discardableResult
    func saveSession(keyHash: String, value: String, expiresAt: Date?, defaultExpiry: Date, create: Bool) async throws -> Bool
    /// Keeps the value and sets a new expiry; false when there is no such session.
    @discardableResult
    func renewSession(keyHash: String, expiresAt: Date) async throws -> Bool
    func removeSession(keyHash: String) async throws
    /// Removes every expired session; returns how many.
    @discardableResult
    func removeExpiredSessions(now: Date) async throws -> Int
}

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
