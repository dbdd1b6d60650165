import Foundation
import Logging
import LeadStore
import PostgresNIO

/// Applies `PostgresSchema.migrations` that have not run yet, in one transaction under an advisory
/// lock: two instances starting at once (a rolling upgrade) do not both migrate — the second waits
/// for the first to commit, then finds nothing left to do. PostgreSQL's DDL is transactional, so a
/// migration that fails leaves nothing half-applied.
enum PostgresMigrator {
    /// An arbitrary constant naming this service's migration lock among the database's advisory locks.
    static let lockKey: Int64 = 0x6c65_6164_6d69_6772  // "leadmigr"

    /// Returns the names of the migrations this call applied, oldest first.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await PostgresStore.unwrapped { try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, position integer NOT NULL, applied_at text NOT NULL)
                """, logger: logger)
            let applied = try await names(connection, logger: logger)
            var appliedNow: [String] = []
            for (position, migration) in PostgresSchema.migrations.enumerated() where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO schema_migration (name, position, applied_at) VALUES (\(migration.name), \(position), \(Self.now()))
                    """, logger: logger)
                appliedNow.append(migration.name)
            }
            return appliedNow
        } }
    }

    /// The names of the migrations applied, in the order they apply; empty before the first.
    static func applied(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            let exists = try await connection.query("SELECT to_regclass('schema_migration') IS NOT NULL", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            guard exists else { return [] }
            let names = try await names(connection, logger: logger)
            return PostgresSchema.migrations.map(\.name).filter(names.contains)
        }
    }

    static var allNames: [String] { PostgresSchema.migrations.map(\.name) }

    private static func names(_ connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        var names: Set<String> = []
        for try await name in try await connection.query("SELECT name FROM schema_migration", logger: logger).decode(String.self) {
            names.insert(name)
        }
        return names
    }

    private static func now() -> String { Timestamp.string(Date()) }
}
