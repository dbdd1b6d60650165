import ArgumentParser
import Foundation
import LeadStore
import DispatcherStores
import LeadStoreSQLite

/// `lead-dispatcher token create|list|revoke`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage bearer tokens for the admin and audit APIs.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; prints it on the last line of standard output, this once.")

        @OptionGroup var common: CommonOptions
        @Option(help: "admin (everything) or auditor (reads only).") var role: Role
        @Option(help: "A name that says whose token it is.") var name: String?

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: false)
                let name = name ?? "\(role.rawValue) token"
                let (token, secret) = try await store.createToken(name: name, role: role, actor: .cli("token create"))
                print("created token \(token.id) (\(token.role.rawValue)); it is shown only now:")
                print(secret)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: true)
                for token in try await store.tokens() {
                    let state = token.revokedAt.map { "revoked \($0)" } ?? "live"
                    print([token.id, token.role.rawValue, token.name, token.createdAt, state].joined(separator: "\t"))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token for good.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The token's id.") var id: String

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: false)
                let token = try await store.revokeToken(id: id, actor: .cli("token revoke"))
                print("revoked token \(token.id)")
            }
        }
    }
}

extension Role: ExpressibleByArgument {}
