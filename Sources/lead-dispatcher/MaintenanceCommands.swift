import ArgumentParser
import Foundation
import LeadDispatcher
import LeadStore
import DispatcherStores
import LeadStoreSQLite

/// `lead-dispatcher backup PATH`: a consistent online copy.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database to PATH; safe while the service runs.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Where to write the copy (must not exist).") var path: String

    func run() async throws {
        let settings = try await common.settings()
        if case .postgres = settings.databaseLocation {
            // PostgreSQL has its own tools for this, which also give point-in-time recovery.
            FileHandle.standardError.write(Data("""
                lead-dispatcher: backup copies the embedded SQLite database only; for PostgreSQL use pg_dump \
                (pg_dump --format=custom --file=leads.dump "$DATABASE_URL"), or continuous WAL archiving for point-in-time recovery \
                (see OPERATIONS.md)

                """.utf8))
            throw ExitCode(2)
        }
        try await CommandFailure.reporting {
            let store = try SQLiteStore(path: settings.database, masterKey: nil, readOnly: true)
            try await store.backup(to: path)
            print("wrote a consistent copy of \(settings.database) to \(path); the CRM keys in it open only with the same master key")
        }
    }
}

/// `lead-dispatcher secrets rotate`: every CRM key re-encrypted under a new master key.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Manage the master key.", subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt every CRM key under a new master key (with the service stopped: every instance, on PostgreSQL).",
            discussion: """
                With a key file, the new key replaces it and the previous key is kept as <key file>.old. With \
                DISPATCHER_SECRET_KEY, the new key is printed on the last line of standard output: set it in the \
                environment before the next start. Backups taken before a rotation open only with the previous key.
                """)

        @OptionGroup var common: CommonOptions

        /// Writes `key` to `<keyFile>.old` (or `.old.2`, `.old.3`, … when earlier rotations left those),
        /// mode 0600, and returns the path.
        static func keepOldKey(_ key: MasterKey, beside keyFile: String) throws -> String {
            var path = keyFile + ".old"
            var number = 2
            while FileManager.default.fileExists(atPath: path) {
                path = keyFile + ".old.\(number)"
                number += 1
            }
            try key.writeNewKeyFile(at: path)
            return path
        }

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: false)
                let newKey = MasterKey.generate()
                // Staged first: if anything stops after the keys are re-encrypted, the new key is on disk
                // (beside the key file, or the SQLite database). A PostgreSQL database with its key in the
                // environment has no file to stand beside: the new key is printed before anything changes.
                var staged: String?
                if case .postgres = settings.databaseLocation, settings.secretKey != nil {
                    print("the new master key (if this command stops before it says it re-encrypted the keys, keep the old one):")
                    print(newKey.base64)
                } else {
                    staged = settings.effectiveKeyFile + ".new"
                    try newKey.writeNewKeyFile(at: staged!)
                }
                // Backups taken before now hold keys sealed under the old master key: it is kept, and said.
                var kept: String?
                let count: Int
                do {
                    if settings.secretKey == nil {
                        kept = try Self.keepOldKey(try MasterKeySource.resolve(settings, create: false), beside: settings.effectiveKeyFile)
                    }
                    count = try await store.reencryptSecrets(with: newKey)
                } catch {
                    if let staged { try? FileManager.default.removeItem(atPath: staged) }
                    if let kept { try? FileManager.default.removeItem(atPath: kept) }
                    throw error
                }
                try await store.finish()
                if let kept, let staged {
                    try MasterKey.promote(staged: staged, to: settings.effectiveKeyFile)
                    print("re-encrypted \(count) CRM keys; the new master key is in \(settings.effectiveKeyFile)")
                    print("IMPORTANT: backups taken before this rotation open only with the previous master key, kept in \(kept): store it with those backups")
                } else {
                    if let staged { try? FileManager.default.removeItem(atPath: staged) }
                    print("re-encrypted \(count) CRM keys")
                    print("IMPORTANT: backups taken before this rotation open only with the previous DISPATCHER_SECRET_KEY: store it with those backups")
                    if case .postgres = settings.databaseLocation {
                        print("set DISPATCHER_SECRET_KEY to the new master key (above) on every instance before any of them starts again")
                    } else {
                        print("set DISPATCHER_SECRET_KEY to the new master key before the next start:")
                        print(newKey.base64)
                    }
                }
            }
        }
    }
}
