import ArgumentParser
import Foundation
import LeadStore

/// `lead-dispatcher migrate`: creates or upgrades the database schema (the service does it too at
/// start-up), then prints the migrations applied.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try await CommandFailure.reporting {
            let store = try SQLiteStore.forCommand(settings, readOnly: false)
            for migration in try await store.appliedMigrations() {
                print("applied \(migration)")
            }
            print("database \(settings.database) is up to date")
        }
    }
}
