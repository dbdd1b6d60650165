import Foundation
import GRDB
import LeadStore
import Logging

/// The SQLite implementation of every repository: one GRDB `DatabasePool` in WAL mode, with one
/// writer connection and readers in parallel.
public final class SQLiteStore: Sendable {
    public let path: String
    let pool: DatabasePool
    /// Nil for a store opened without a master key (read-only commands that never open a CRM key:
    /// `audit verify`, `backup`, `policy export`).
    let secretBox: SecretBox?
    /// Held while the store is open for writing: no other process may write this database.
    let lock: DatabaseLock?
    /// The migrations this open applied, oldest first (empty when the schema was up to date).
    public let migrationsApplied: [String]
    /// The policy in force, read once per policy version by the writer.
    let policyCache = PolicyCache()
    /// Policies of past versions, for deciding stored leads again when they are read.
    let policyVersions = PolicyVersionCache()
    /// Each pool's rotation as the last committed batch left it.
    let routingCache = RoutingStateCache()
    /// Vendors by key hash, for ingest; cleared by every vendor change.
    let vendorKeys = VendorKeyCache()

    /// Opens (creating the file and its folder if missing) and migrates the database.
    ///
    /// - Parameters:
    ///   - masterKey: the key that opens the stored CRM keys. A store opened for writing checks it
    ///     against the database and throws `StoreError.wrongMasterKey` when it does not open them;
    ///     nil only with `readOnly`, for reads that never need a CRM key.
    ///   - readOnly: open without writing or migrating, for commands that only read while the
    ///     service may be running. Read-only connections never checkpoint, so they are safe beside it.
    public init(path: String, masterKey: MasterKey?, readOnly: Bool = false, busyTimeout: TimeInterval = 5) throws {
        self.path = path
        self.secretBox = masterKey.map(SecretBox.init(masterKey:))
        precondition(masterKey != nil || readOnly, "a store opened for writing needs its master key")
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        if !readOnly {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            lock = try DatabaseLock(databasePath: path)
            // The database will hold contact details and sealed keys: readable by its owner only.
            // SQLite gives the WAL and shared-memory files the same mode.
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
        } else if !FileManager.default.fileExists(atPath: path) {
            throw StoreError.notFound(kind: "database", id: path)
        } else {
            lock = nil
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        if readOnly {
            let migrated = try pool.read { try Schema.migrator.hasCompletedMigrations($0) }
            guard migrated else {
                throw StoreError.conflict("the database \(path) is not fully migrated: run `lead-dispatcher migrate` (with the service stopped)")
            }
            migrationsApplied = []
            return
        }
        // GRDB sets `synchronous = NORMAL` on a pool's writer after `prepareDatabase` runs, so FULL is
        // set here, on the writer itself, and read back: a lead is acknowledged only after its commit
        // has reached the disk.
        let synchronous = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
        guard synchronous == 2 else {
            throw StoreError.durabilityNotGuaranteed(synchronous: synchronous)
        }
        let before = try pool.read { try Schema.migrator.appliedIdentifiers($0) }
        try Schema.migrator.migrate(pool)
        migrationsApplied = Schema.migrator.migrations.filter { !before.contains($0) }
        if let secretBox {
            try pool.write { db in try SealedSecrets.verify(secretBox, in: db) }
        }
    }

    /// The box that opens stored CRM keys; throws for a store opened without a master key.
    func requireSecretBox() throws -> SecretBox {
        guard let secretBox else { throw StoreError.masterKey("this database was opened without a master key") }
        return secretBox
    }

    public func durabilitySettings() async throws -> [(name: String, value: String)] {
        [("synchronous", String(try await writerSynchronousMode())), ("journal_mode", try await journalMode())]
    }

    /// The `PRAGMA synchronous` value the writer connection runs with (2 is FULL).
    public func writerSynchronousMode() async throws -> Int {
        try await pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The journal mode in force (`wal`).
    public func journalMode() async throws -> String {
        try await pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// True when the database answers, every migration has run and the master key opens the stored
    /// keys (the check value): a service that cannot open them must not be sent leads.
    public func isReady() async -> Bool {
        let secretBox = self.secretBox
        return (try? await pool.read { db in
            guard try Schema.migrator.hasCompletedMigrations(db) else { return false }
            guard let secretBox else { return true }
            return try SealedSecrets.opens(secretBox, in: db)
        }) ?? false
    }

    /// The names of the migrations applied, oldest first.
    public func appliedMigrations() async throws -> [String] {
        // In the order they apply (`v10` after `v9`, which sorting by name would not give).
        try await pool.read { db in
            let applied = try Schema.migrator.appliedIdentifiers(db)
            return Schema.migrator.migrations.filter(applied.contains)
        }
    }

    /// Closes every connection and releases the single-writer lock.
    public func close() throws {
        try pool.close()
        lock?.release()
    }
}

extension SQLiteStore: DispatcherStore, BlockingLeadCommitter {}
