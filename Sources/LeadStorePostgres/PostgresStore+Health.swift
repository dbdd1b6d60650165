import Foundation
import LeadStore
import PostgresNIO

extension PostgresStore: StoreHealth {
    /// What makes a commit durable on PostgreSQL: `synchronous_commit` (on: a commit returns once its
    /// WAL is flushed) and `fsync`, as the server reports them to this service's connections.
    public func durabilitySettings() async throws -> [(name: String, value: String)] {
        var settings: [(String, String)] = []
        let rows = try await client.query("""
            SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'server_version') ORDER BY name
            """, logger: logger)
        for try await (name, setting) in rows.decode((String, String).self) {
            settings.append((name, setting))
        }
        return settings
    }

    /// True when the server answers, every migration has run and the master key opens the check value.
    public func isReady() async -> Bool {
        do {
            guard try await PostgresMigrator.applied(client, logger: logger) == PostgresMigrator.allNames else { return false }
            guard let secretBox else { return true }
            return try await PostgresSealedSecrets.opens(secretBox, client: client, logger: logger)
        } catch {
            return false
        }
    }

    public func appliedMigrations() async throws -> [String] {
        try await PostgresMigrator.applied(client, logger: logger)
    }

    public func probeWrite() async throws {
        try await client.query("""
            INSERT INTO storage_probe (id, at) VALUES (1, \(Timestamp.string(Date()))) ON CONFLICT (id) DO UPDATE SET at = excluded.at
            """, logger: logger)
    }

    /// SQLSTATE 53100 (`disk_full`): the server could not extend a file.
    public func isStorageFull(_ error: any Error) -> Bool {
        PostgresFailure.sqlState(error) == PostgresFailure.diskFull
    }
}
