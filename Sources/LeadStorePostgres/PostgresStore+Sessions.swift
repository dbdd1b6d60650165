import Foundation
import LeadStore
import PostgresNIO

/// Console sessions in `console_session`: any instance behind the load balancer opens a session
/// another one made.
extension PostgresStore: SessionRepository {
    public func sessionValue(keyHash: String, now: Date) async throws -> String? {
        try await rows("""
            SELECT value FROM console_session WHERE key_hash = \(keyHash) AND expires_at > \(Timestamp.string(now))
            """).first?.decode(String.self)
    }

    public func saveSession(keyHash: String, value: String, expiresAt: Date?, defaultExpiry: Date, create: Bool) async throws -> Bool {
        let expires = Timestamp.string(expiresAt ?? defaultExpiry)
        let query: PostgresQuery
        if create {
            query = """
                INSERT INTO console_session (key_hash, value, expires_at) VALUES (\(keyHash), \(value), \(expires))
                ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash
                """
        } else if expiresAt == nil {
            query = """
                INSERT INTO console_session (key_hash, value, expires_at) VALUES (\(keyHash), \(value), \(expires))
                ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value RETURNING key_hash
                """
        } else {
            query = """
                INSERT INTO console_session (key_hash, value, expires_at) VALUES (\(keyHash), \(value), \(expires))
                ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at RETURNING key_hash
                """
        }
        return !(try await rows(query).isEmpty)
    }

    public func renewSession(keyHash: String, expiresAt: Date) async throws -> Bool {
        !(try await rows("""
            UPDATE console_session SET expires_at = \(Timestamp.string(expiresAt)) WHERE key_hash = \(keyHash) RETURNING key_hash
            """).isEmpty)
    }

    public func removeSession(keyHash: String) async throws {
        try await rows("DELETE FROM console_session WHERE key_hash = \(keyHash)")
    }

    public func removeExpiredSessions(now: Date) async throws -> Int {
        try await rows("DELETE FROM console_session WHERE expires_at <= \(Timestamp.string(now)) RETURNING key_hash")
            .count
    }
}
