import ArgumentParser
import Foundation
import LeadDispatcher
import LeadPolicy
import LeadStore

/// `lead-dispatcher audit verify`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit log.",
        subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit log's hash chain; exits 1 when it is broken. Safe while the service runs.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try await common.settings()
            let result = try await CommandFailure.reporting {
                let store = try SQLiteStore.forCommand(settings, readOnly: true)
                return try await store.verifyAuditChain()
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result.document), as: UTF8.self))
            if !result.ok { throw ExitCode(1) }
        }
    }
}
