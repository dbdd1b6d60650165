import ArgumentParser
import Foundation
import LeadStore
import DispatcherStores

/// `lead-dispatcher migrate`: creates or upgrades the database schema (the service does it too at
/// start-up), then prints the migrations it applied, if any.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try await CommandFailure.reporting {
            // On PostgreSQL another instance migrating at the same moment is waited for (an advisory lock).
            let store = try await CommandStores.open(settings, readOnly: false)
            let applied = store.migrationsApplied
            let latest = try await store.appliedMigrations().last ?? "none"
            try await store.finish()
            for migration in applied {
                print("applied \(migration)")
            }
            print(applied.isEmpty
                ? "database \(settings.databaseDescription) was up to date (schema \(latest)); nothing to apply"
                : "database \(settings.databaseDescription) is up to date (schema \(latest))")
        }
    }
}
