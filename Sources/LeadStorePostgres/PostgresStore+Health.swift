import Foundation
import LeadStore
import PostgresNIO

extension PostgresStore: StoreHealth {
    /// What makes a commit durable on PostgreSQL: `synchronous_commit` (on: a commit returns once its
    /// WAL is flushed) and `fsync`, as the server reports them to this service's connections.
    public func durabilitySettings() async throws -> [(name: String, value: String)] {
        var settings: [(String, String)] = []
        let settingRows = try await rows("""
            SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'server_version') ORDER BY name
            """)
        for (name, setting) in try settingRows.map({ try $0.decode((String, String).self) }) {
            settings.append((name, setting))
        }
        return settings
    }

    /// True when the server answers (as the watch last found it: a server away is not waited for),
    /// every migration has run and the master key opens the check value.
    public func isReady() async -> Bool {
        guard availability.isUp else { return false }
        do {
            guard try await PostgresMigrator.applied(checkedClient, logger: logger) == PostgresMigrator.allNames else { return false }
            guard let secretBox else { return true }
            return try await PostgresSealedSecrets.opens(secretBox, client: checkedClient, logger: logger)
        } catch {
            return false
        }
    }

    public func appliedMigrations() async throws -> [String] {
        try await PostgresMigrator.applied(checkedClient, logger: logger)
    }

    public func probeWrite() async throws {
        try await rows("""
            INSERT INTO storage_probe (id, at) VALUES (1, \(Timestamp.string(Date()))) ON CONFLICT (id) DO UPDATE SET at = excluded.at
            """)
    }

    /// SQLSTATE 53100 (`disk_full`): the server could not extend a file.
    public func isStorageFull(_ error: any Error) -> Bool {
        PostgresFailure.sqlState(error) == PostgresFailure.diskFull
    }
}

extension PostgresStore {
    /// True when `error` says the server is away (not answering, restarting, or its connection gone):
    /// the request is answered 503 and may be sent again. (A connection lost during a commit itself
    /// leaves it unknown whether the commit landed: a vendor's retry is then recognised as a repeat
    /// by its `Idempotency-Key` or the vendor's dedupe window.)
    public func isUnavailable(_ error: any Error) -> Bool {
        if case StoreError.unavailable = error { return true }
        if let state = PostgresFailure.sqlState(error) {
            // 08: connection exceptions; 57P01–57P03: shutting down, crashed, starting up.
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
        }
        guard let error = error as? PSQLError else { return false }
        return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed].contains(error.code)
    }
}
