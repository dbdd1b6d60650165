import ArgumentParser
import Foundation
import LeadDispatcher
import LeadPolicy
import LeadStore
import DispatcherStores
import LeadStoreSQLite

/// `lead-dispatcher user create|list|disable`: the people who sign in to the console.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage console users.",
        subcommands: [Create.self, List.self, Disable.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a console user (with the service stopped).",
            discussion: """
                Without --password-stdin a password is generated and printed on the last line of standard output, this \
                once; with it, the password is read from the first line of standard input (never from the command line, \
                where other users of the machine could see it).
                """)

        @OptionGroup var common: CommonOptions
        @Option(help: "The user's email, what they sign in with.") var email: String
        @Option(help: "admin (everything) or auditor (reads only).") var role: Role
        @Option(help: "The user's name (default: the email's local part).") var name: String?
        @Flag(help: "Read the password from standard input.") var passwordStdin = false

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let email = try UserInput.email(email)
                let name = try UserInput.name(name, email: email)
                var password = Passwords.generate()
                if passwordStdin {
                    guard let line = readLine(strippingNewline: true) else {
                        throw ValidationError("--password-stdin: standard input held no password")
                    }
                    try Passwords.check(line)
                    password = line
                }
                let store = try await CommandStores.open(settings, readOnly: false)
                let user = try await store.createUser(email: email, name: name, role: role, passwordHash: await Passwords.hash(password),
                                                      actor: .cli("user create"))
                print("created user \(user.id) <\(user.email)> (\(user.role.rawValue))")
                if !passwordStdin {
                    print("password, shown only now:")
                    print(password)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List console users (never their passwords). Safe while the service runs.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: true)
                for user in try await store.users() {
                    print([user.id, user.email, user.role.rawValue, user.name, user.disabled ? "disabled" : "enabled"].joined(separator: "\t"))
                }
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a console user (with the service stopped).")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The user's email.") var email: String

        func run() async throws {
            let settings = try await common.settings()
            try await CommandFailure.reporting {
                let store = try await CommandStores.open(settings, readOnly: false)
                guard let (user, _) = try await store.userForSignIn(email: email) else {
                    throw ValidationError("no user with the email '\(email)'")
                }
                let disabled = try await store.updateUser(id: user.id, ConsoleUserChange(disabled: true), actor: .cli("user disable"))
                print("disabled user \(disabled.id) <\(disabled.email)>")
            }
        }
    }
}
