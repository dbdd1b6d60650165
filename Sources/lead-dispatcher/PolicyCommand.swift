import ArgumentParser
import Foundation
import LeadDispatcher
import LeadPolicy
import LeadStore
import DispatcherStores
import LeadStoreSQLite

/// `lead-dispatcher policy import FILE` and `policy export`.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Import, export or restore the whole routing policy as one JSON document.",
        subcommands: [Import.self, Export.self, Restore.self])

    /// What in the policy now in force cannot work as written, one `warning:` line each on standard error.
    static func printWarnings(of store: any CommandStore) async throws {
        for warning in try await store.policyWarnings() {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy document and apply it atomically (nothing changes on any error).")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The policy JSON file.") var file: String

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                guard case .object(let document)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
                    throw ValidationError("\(file) is not a JSON object")
                }
                let store = try await CommandStores.open(settings, readOnly: false)
                _ = try await PolicyDocument.apply(document, to: store, actor: .cli("policy import"))
                let policy = try await store.currentPolicy().policy
                print("imported \(file): \(policy.accounts.count) accounts, \(policy.agents.count) agents, \(policy.pools.count) pools, \(policy.rules.count) rules")
                try await PolicyCommand.printWarnings(of: store)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the policy (secrets masked). Safe while the service runs.")

        @OptionGroup var common: CommonOptions
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: true)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(PolicyDocument.render(try await store.currentPolicy())) + Data("\n".utf8)
                if let output {
                    try data.write(to: URL(fileURLWithPath: output))
                } else {
                    FileHandle.standardOutput.write(data)
                }
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make policy version N the policy in force again, with the keys it had (with the service stopped).")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The version to restore (GET /v1/policy/versions lists them).") var version: Int

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                guard version > 0 else { throw ValidationError("the version must be a positive whole number, not \(version)") }
                let store = try await CommandStores.open(settings, readOnly: false)
                let restored = try await PolicyDocument.restore(version: version, in: store, actor: .cli("policy restore"))
                let policy = try await store.currentPolicy().policy
                print("restored policy version \(version) as version \(restored.version): \(policy.accounts.count) accounts, \(policy.agents.count) agents, \(policy.pools.count) pools, \(policy.rules.count) rules")
                try await PolicyCommand.printWarnings(of: store)
            }
        }
    }
}
