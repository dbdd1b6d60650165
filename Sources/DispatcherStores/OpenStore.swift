import Foundation
import Hummingbird
import LeadDispatcher
import LeadStore
import LeadStorePostgres
import LeadStoreSQLite
import Logging

// The database behind the service is chosen here, outside the HTTP module, which is built on the
// repository protocols alone (`buildApplication(_:store:logger:)`) and links no database driver.

/// Opens the configured database for writing — a SQLite file (taking the single-writer lock) or a
/// PostgreSQL server (shared by every instance) — and builds the HTTP application on it.
public func buildApplication(_ settings: DispatcherSettings, logger: Logger? = nil) async throws -> any ApplicationProtocol {
    switch settings.databaseLocation {
    case .sqlite:
        return try await buildApplication(settings, store: try openStore(settings), logger: logger)
    case .postgres(let url):
        var storeLogger = logger ?? Logger(label: "lead-dispatcher")
        // The driver's own lines (connections opened and closed) only when asked for.
        storeLogger.logLevel = max(settings.logLevel, .notice)
        let store = try await openPostgresStore(url, settings: settings, logger: storeLogger)
        return try await buildApplication(settings, store: store, logger: logger)
    }
}

/// Opens the database for writing with the configured master key; refuses, naming where the key came
/// from, when that key does not open the keys stored in the database (a service that cannot open them
/// would accept leads and never deliver one).
///
/// A key file is created only with a new database: a missing key file beside an existing database is
/// a lost key, and a new one would open none of its keys.
public func openStore(_ settings: DispatcherSettings) throws -> SQLiteStore {
    if case .postgres(let url) = settings.databaseLocation {
        throw StoreError.conflict("\(url): this command runs on the embedded SQLite store only (see OPERATIONS.md for PostgreSQL)")
    }
    let databaseExists = FileManager.default.fileExists(atPath: settings.database)
    let masterKey: MasterKey
    do {
        masterKey = try MasterKeySource.resolve(settings, create: !databaseExists)
    } catch StoreError.masterKey(let message) where databaseExists && settings.secretKey == nil {
        throw StoreError.masterKey("""
            \(message), but the database \(settings.database) exists: its CRM keys open only with the key it was set up with; \
            put that key file back (or set DISPATCHER_SECRET_KEY to it)
            """)
    }
    do {
        return try SQLiteStore(path: settings.database, masterKey: masterKey)
    } catch StoreError.wrongMasterKey {
        throw StoreError.masterKey("""
            the key from \(MasterKeySource.describe(settings)) does not open the CRM keys stored in \(settings.database); \
            start with the key they were sealed with (after `secrets rotate`, the key file it wrote)
            """)
    }
}

/// Opens a PostgreSQL database for a command or the service: connects (saying plainly why not),
/// migrates and checks the master key, which must come from the environment or an explicit key file.
///
/// `readOnly` (commands that only read, such as `audit verify`): no migration and no master key, as
/// with SQLite: nothing they read is sealed.
public func openPostgresStore(_ url: PostgresURL, settings: DispatcherSettings, readOnly: Bool = false, logger: Logger) async throws -> PostgresStore {
    let masterKey = readOnly ? nil : try MasterKeySource.resolve(settings, create: false)
    do {
        return try await PostgresStore.open(url.endpoint, masterKey: masterKey, migrate: !readOnly, logger: logger)
    } catch StoreError.wrongMasterKey {
        throw StoreError.masterKey("""
            the key from \(MasterKeySource.describe(settings)) does not open the CRM keys stored in \(url): \
            every instance on one database must use the same master key
            """)
    }
}
