import ArgumentParser
import Foundation
import LeadStore
import DispatcherStores
import LeadStoreSQLite

/// `lead-dispatcher migrate`: creates or upgrades the database schema (the service does it too at
/// start-up), then prints the migrations it applied, if any.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try await CommandFailure.reporting {
            let store = try SQLiteStore.forCommand(settings, readOnly: false)
            for migration in store.migrationsApplied {
                print("applied \(migration)")
            }
            let latest = try await store.appliedMigrations().last ?? "none"
            print(store.migrationsApplied.isEmpty
                ? "database \(settings.database) was up to date (schema \(latest)); nothing to apply"
                : "database \(settings.database) is up to date (schema \(latest))")
        }
    }
}
