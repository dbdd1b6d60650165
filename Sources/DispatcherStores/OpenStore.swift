import Foundation
import Hummingbird
import LeadDispatcher
import LeadStore
import LeadStorePostgres
import LeadStoreSQLite
import Logging

// The database behind the service is chosen here, outside the HTTP module, which is built on the
// repository protocols alone (`buildApplication(_:store:logger:)`) and links no database driver.

/// Opens the store for writing (taking the single-writer lock), and builds the HTTP application.
public func buildApplication(_ settings: DispatcherSettings, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    try await buildApplication(settings, store: try openStore(settings), logger: logger)
}

/// Opens the database for writing with the configured master key; refuses, naming where the key came
/// from, when that key does not open the keys stored in the database (a service that cannot open them
/// would accept leads and never deliver one).
///
/// A key file is created only with a new database: a missing key file beside an existing database is
/// a lost key, and a new one would open none of its keys.
public func openStore(_ settings: DispatcherSettings) throws -> SQLiteStore {
    if case .postgres(let url) = settings.databaseLocation {
        throw StoreError.conflict("\(url): only `lead-dispatcher migrate` runs on PostgreSQL in this build; give a file path for the embedded SQLite store")
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
public func openPostgresStore(_ url: PostgresURL, settings: DispatcherSettings, logger: Logger) async throws -> PostgresStore {
    let masterKey = try MasterKeySource.resolve(settings, create: false)
    do {
        return try await PostgresStore.open(url.endpoint, masterKey: masterKey, logger: logger)
    } catch StoreError.wrongMasterKey {
        throw StoreError.masterKey("""
            the key from \(MasterKeySource.describe(settings)) does not open the CRM keys stored in \(url): \
            every instance on one database must use the same master key
            """)
    }
}
