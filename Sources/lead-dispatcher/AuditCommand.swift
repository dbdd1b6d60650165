import ArgumentParser
import Foundation
import LeadDispatcher
import LeadPolicy
import LeadStore
import DispatcherStores
import LeadStoreSQLite

/// `lead-dispatcher audit verify`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit log.",
        subcommands: [Verify.self, Purge.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit log's hash chain; exits 1 when it is broken. Safe while the service runs.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try await common.settings()
            let result = try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: true)
                return try await store.verifyAuditChain()
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result.document), as: UTF8.self))
            if !result.ok { throw ExitCode(1) }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase the contact fields of leads older than the retention period (the decision records stay).")

        @OptionGroup var common: CommonOptions
        @Option(help: "Erase leads received more than this many days ago (default: the retentionDays setting).")
        var olderThanDays: Int?

        func run() async throws {
            let settings = try await common.settings()
            if let olderThanDays, olderThanDays < 1 {
                throw ValidationError("--older-than-days must be at least 1, not \(olderThanDays): 0 would erase the contact fields of every lead, today's included")
            }
            let days = olderThanDays ?? settings.retentionDays
            guard days > 0 else {
                throw ValidationError("retention is off (retentionDays = 0): give --older-than-days N to erase leads older than N days")
            }
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: false)
                let erased = try await store.eraseContactFields(receivedBefore: Date().addingTimeInterval(-Double(days) * 86_400),
                                                                actor: .cli("audit purge"))
                print("erased the contact fields of \(erased) leads received more than \(days) days ago")
            }
        }
    }
}
