import ArgumentParser
import Foundation

@main
struct LeadDispatcherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead-dispatcher",
        abstract: "Routes real-estate leads to Buying Buddy agents, durably and audibly.",
        subcommands: [Serve.self, Migrate.self, TokenCommand.self, UserCommand.self, PolicyCommand.self, AuditCommand.self, Backup.self, SecretsCommand.self],
        defaultSubcommand: nil)
}
