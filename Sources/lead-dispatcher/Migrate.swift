import ArgumentParser
import Foundation
import LeadStore
import DispatcherStores
import LeadStoreSQLite
import Logging

/// `lead-dispatcher migrate`: creates or upgrades the database schema (the service does it too at
/// start-up), then prints the migrations it applied, if any.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try await CommandFailure.reporting {
            let applied: [String]
            let latest: String
            switch settings.databaseLocation {
            case .sqlite:
                let store = try SQLiteStore.forCommand(settings, readOnly: false)
                applied = store.migrationsApplied
                latest = try await store.appliedMigrations().last ?? "none"
            case .postgres(let url):
                // Another instance migrating at the same moment is waited for (an advisory lock).
                let store = try await openPostgresStore(url, settings: settings, logger: Logger(label: "lead-dispatcher.migrate"))
                applied = store.migrationsApplied
                latest = try await store.appliedMigrations().last ?? "none"
                await store.close()
            }
            for migration in applied {
                print("applied \(migration)")
            }
            print(applied.isEmpty
                ? "database \(settings.databaseDescription) was up to date (schema \(latest)); nothing to apply"
                : "database \(settings.databaseDescription) is up to date (schema \(latest))")
        }
    }
}
