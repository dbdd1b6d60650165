import ArgumentParser
import Configuration
import Foundation
import LeadDispatcher
import LeadStore
import DispatcherStores
import LeadStorePostgres
import LeadStoreSQLite
import Logging

/// Options every subcommand has. Declared optional without defaults, so that an option not given
/// leaves the value to the environment, the config file or the defaults.
struct CommonOptions: ParsableArguments {
    @Option(help: "JSON config file (default: Config/dispatcher.json when present).")
    var config: String?

    @Option(help: "SQLite database file (default: ./data/dispatcher.sqlite).")
    var database: String?

    /// The flags given, by JSON key, for the first configuration layer.
    func flagValues() -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        if let database { values["database"] = ConfigValue(.string(database), isSecret: false) }
        return values
    }

    /// The settings from every layer; a bad value ends the command with one line naming the key.
    func settings(extraFlags: [String: ConfigValue] = [:]) async throws -> DispatcherSettings {
        try await CommandFailure.reporting {
            let reader = try await ConfigurationLayers.reader(flags: flagValues().merging(extraFlags) { _, new in new }, configFile: config)
            return try DispatcherSettings(reader: reader)
        }
    }
}

/// Prints a failure as one line on standard error and exits non-zero, instead of a stack of text.
enum CommandFailure {
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("lead-dispatcher: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// What a command needs of the database, whichever it is.
protocol CommandStore: DispatcherStore {
    /// The migrations this open applied, oldest first.
    var migrationsApplied: [String] { get }
    func reencryptSecrets(with newKey: MasterKey) async throws -> Int
    /// Closes every connection (and on SQLite releases the single-writer lock).
    func finish() async throws
}

extension SQLiteStore: CommandStore {
    func finish() async throws { try close() }
}

extension PostgresStore: CommandStore {
    func finish() async throws { await close() }
}

enum CommandStores {
    /// Opens the database for a command: for writing (on SQLite taking the single-writer lock, so it
    /// refuses while the service runs) or read-only (safe beside a running service). On PostgreSQL,
    /// commands run beside the instances, as the API's changes do.
    static func open(_ settings: DispatcherSettings, readOnly: Bool) async throws -> any CommandStore {
        switch settings.databaseLocation {
        case .sqlite:
            if readOnly {
                // Nothing read-only opens a CRM key: no master key is needed (a backup verifies without one).
                return try SQLiteStore(path: settings.database, masterKey: nil, readOnly: true)
            }
            return try openStore(settings)
        case .postgres(let url):
            var logger = Logger(label: "lead-dispatcher")
            logger.logLevel = .error
            return try await openPostgresStore(url, settings: settings, readOnly: readOnly, logger: logger)
        }
    }
}
