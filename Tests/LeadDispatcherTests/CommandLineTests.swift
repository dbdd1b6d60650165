import Foundation
import GRDB
import LeadDispatcher
import LeadPolicy
import LeadStore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// The `lead-dispatcher` binary itself, run as a user would run it.
@Suite struct CommandLineTests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
        var lastLine: String { output.split(separator: "\n").last.map(String.init) ?? "" }
    }

    /// The executable built beside the test bundle.
    static var binary: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("lead-dispatcher").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("lead-dispatcher")
    }

    let directory: URL
    var database: String { directory.appendingPathComponent("data/dispatcher.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The binary, set to run in the test's folder with `environment` and no other `DISPATCHER_*` variable;
    /// standard output and error go to pipes.
    func process(_ arguments: [String], environment: [String: String]) -> (Process, output: Pipe, error: Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        // The folder has no Config/dispatcher.json, so only flags, environment and defaults apply.
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DISPATCHER_") }.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        return (process, output, error)
    }

    func run(_ arguments: String..., environment: [String: String] = [:]) throws -> Run {
        try run(arguments, environment: environment)
    }

    /// `run` for an async test: the binary is waited for on a thread of its own, not one of the few
    /// threads every async test shares (a run takes a second or two; blocking those threads for it
    /// starved the tests beside it on a two-core machine).
    func runAsync(_ arguments: String..., environment: [String: String] = [:]) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            Thread { [self] in
                continuation.resume(with: Result { try run(arguments, environment: environment) })
            }.start()
        }
    }

    func run(_ arguments: [String], environment: [String: String]) throws -> Run {
        let (process, output, error) = process(arguments, environment: environment)
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   error: String(decoding: errorData, as: UTF8.self))
    }

    @Test func tokenCreatePrintsTheTokenOnItsLastLineAndKeepsOnlyAHash() async throws {
        let run = try await runAsync("token", "create", "--role", "admin", "--name", "Ops Admin", "--database", database)
        #expect(run.status == 0, "\(run.error)")
        let token = run.lastLine
        #expect(token.hasPrefix("ldt_") && token.count > 40)
        let bytes = FileManager.default.contents(atPath: database) ?? Data()
        #expect(!bytes.isEmpty)
        #expect(bytes.range(of: Data(token.utf8)) == nil)

        let store = try SQLiteStore(path: database, masterKey: try MasterKey.loadOrCreate(keyFile: database + ".key", create: false))
        let stored = try await store.authenticateToken(token)
        #expect(stored?.role == .admin)
        #expect(stored?.name == "Ops Admin")
    }

    @Test func tokenListAndRevoke() async throws {
        _ = try await runAsync("token", "create", "--role", "auditor", "--name", "carol", "--database", database)
        let list = try await runAsync("token", "list", "--database", database)
        #expect(list.status == 0)
        #expect(list.output.contains("carol\tauditor"))
        let revoke = try await runAsync("token", "revoke", "carol", "--database", database)
        #expect(revoke.status == 0, "\(revoke.error)")
        #expect(try await runAsync("token", "list", "--database", database).output.contains("revoked"))
        #expect(try await runAsync("token", "revoke", "nobody", "--database", database).status != 0)
    }

    @Test func aBadRoleIsRefused() async throws {
        let run = try await runAsync("token", "create", "--role", "root", "--database", database)
        #expect(run.status != 0)
        #expect(run.error.contains("role"))
    }

    @Test func writingCommandsRefuseWhileTheServiceHoldsTheDatabase() async throws {
        // As `serve` holds it: with the key file beside it.
        let holder = try SQLiteStore(path: database, masterKey: try MasterKey.loadOrCreate(keyFile: database + ".key", create: true))
        let run = try await runAsync("token", "create", "--role", "admin", "--database", database)
        #expect(run.status != 0)
        #expect(run.error.contains("in use"), "\(run.error)")
        #expect(run.output.isEmpty)
        withExtendedLifetime(holder) {}
    }

    @Test func policyImportExportRoundTripWithoutSecrets() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config/policy.example.json").path
        let imported = try await runAsync("policy", "import", example, "--database", database)
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("2 accounts"))

        let exported = try await runAsync("policy", "export", "--database", database)
        #expect(exported.status == 0, "\(exported.error)")
        #expect(!exported.output.contains("REPLACE-with"))
        #expect(exported.output.contains("••••"))
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(exported.output.utf8))
        guard case .array(let rules)? = document.objectValue?["rules"] else {
            Issue.record("no rules in \(exported.output)")
            return
        }
        #expect(rules.count == 6)

        // Importing the export (masked keys) keeps the stored keys and changes nothing.
        let file = directory.appendingPathComponent("exported.json")
        try Data(exported.output.utf8).write(to: file)
        #expect(try await runAsync("policy", "import", file.path, "--database", database).status == 0)
        #expect(try await runAsync("policy", "export", "--database", database).output == exported.output)
    }

    @Test func anInvalidPolicyFileChangesNothing() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config/policy.example.json").path
        _ = try await runAsync("policy", "import", example, "--database", database)
        let before = try await runAsync("policy", "export", "--database", database).output
        let broken = directory.appendingPathComponent("broken.json")
        try Data(#"{"accounts":[],"agents":[],"pools":[],"rules":[{"id":"r","name":"R","priority":1,"action":{"type":"pool","pool_id":"ghost"}}]}"#.utf8).write(to: broken)
        let run = try await runAsync("policy", "import", broken.path, "--database", database)
        #expect(run.status != 0)
        #expect(run.error.contains("rules[0].action.pool_id"), "\(run.error)")
        #expect(try self.run("policy", "export", "--database", database).output == before)
    }

    @Test func anInvalidSettingStopsWithOneLineNamingTheKey() async throws {
        let run = try await runAsync("serve", "--database", database, environment: ["DISPATCHER_PORT": "eighty"])
        #expect(run.status != 0)
        #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
        #expect(run.error.contains("'port'") && run.error.contains("DISPATCHER_PORT"))
        let badFile = directory.appendingPathComponent("bad.json")
        try Data("{ nope".utf8).write(to: badFile)
        let file = try self.run("serve", "--config", badFile.path)
        #expect(file.status != 0)
        #expect(file.error.contains("config"), "\(file.error)")
    }

    /// A PostgreSQL URL is refused before anything is opened or logged: no file is made from it, and
    /// its password is not repeated.
    @Test func migrateCreatesTheSchema() async throws {
        let run = try await runAsync("migrate", "--database", database)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("v1-config-plane"))
    }

    @Test func auditVerifyExitsOneWhenTheChainIsBroken() async throws {
        _ = try await runAsync("token", "create", "--role", "admin", "--name", "one", "--database", database)
        _ = try await runAsync("token", "create", "--role", "admin", "--name", "two", "--database", database)
        let intact = try await runAsync("audit", "verify", "--database", database)
        #expect(intact.status == 0, "\(intact.error)")
        // The newest hash is printed, for an auditor to keep where the database's writers cannot reach.
        let newest = try await DatabaseQueue(path: database).read { try String.fetchOne($0, sql: "SELECT hash FROM audit_event WHERE seq = 2") }
        #expect(intact.lastLine == #"{"checked":2,"first_broken_id":null,"newest_hash":"\#(newest ?? "")","newest_id":"2","ok":true,"problem":null}"#)

        let queue = try DatabaseQueue(path: database)
        try await queue.write { try $0.execute(sql: "UPDATE audit_event SET actor_name = 'mallory' WHERE seq = 1") }
        try queue.close()
        let broken = try await runAsync("audit", "verify", "--database", database)
        #expect(broken.status == 1)
        #expect(broken.lastLine.contains(#""first_broken_id":"1""#))
        #expect(broken.lastLine.contains(#""ok":false"#))
    }

    @Test func auditPurgeNeedsARetentionPeriod() async throws {
        _ = try await runAsync("migrate", "--database", database)
        let off = try await runAsync("audit", "purge", "--database", database)
        #expect(off.status != 0)
        #expect(off.error.contains("retention"), "\(off.error)")
        let purged = try await runAsync("audit", "purge", "--database", database, environment: ["DISPATCHER_RETENTION_DAYS": "30"])
        #expect(purged.status == 0, "\(purged.error)")
        #expect(purged.output.contains("0 leads received more than 30 days ago"))
    }

    @Test func secretsRotateReEncryptsEveryKeyUnderANewMasterKey() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config/policy.example.json").path
        #expect(try await runAsync("policy", "import", example, "--database", database).status == 0)
        let keyFile = database + ".key"
        let oldKey = try MasterKey.loadOrCreate(keyFile: keyFile, create: false)
        let rotated = try await runAsync("secrets", "rotate", "--database", database)
        #expect(rotated.status == 0, "\(rotated.error)")
        #expect(rotated.output.contains("re-encrypted 7 CRM keys"))
        let newKey = try MasterKey.loadOrCreate(keyFile: keyFile, create: false)
        #expect(newKey.base64 != oldKey.base64)
        #expect(!FileManager.default.fileExists(atPath: keyFile + ".new"))
        let owner = SecretOwner(kind: "agent", id: "maria-lopez")
        let store = try SQLiteStore(path: database, masterKey: newKey, readOnly: true)
        #expect(try await store.secret(for: owner) == "REPLACE-with-Maria-Lopez-Lead-Import-key")
        let stale = try SQLiteStore(path: database, masterKey: oldKey, readOnly: true)
        await #expect(throws: StoreError.self) { _ = try await stale.secret(for: owner) }
        // With the key in the environment, the new one is printed on the last line.
        let environment = ["DISPATCHER_SECRET_KEY": newKey.base64]
        let printed = try await runAsync("secrets", "rotate", "--database", database, environment: environment)
        #expect(printed.status == 0, "\(printed.error)")
        let printedKey = try MasterKey(base64: printed.lastLine)
        let reopened = try SQLiteStore(path: database, masterKey: printedKey, readOnly: true)
        #expect(try await reopened.secret(for: owner) == "REPLACE-with-Maria-Lopez-Lead-Import-key")
    }

    @Test func backupWritesAConsistentCopyWhileTheServiceRuns() async throws {
        let writer = try SQLiteStore(path: database, masterKey: try MasterKey.loadOrCreate(keyFile: database + ".key", create: true))
        for index in 0..<5 {
            _ = try await writer.createToken(name: "token \(index)", role: .auditor, actor: .cli("test"))
        }
        // The writer stays open, as `serve` would be, while the backup runs in another process.
        let copy = directory.appendingPathComponent("backup.sqlite").path
        let backup = try await runAsync("backup", copy, "--database", database)
        #expect(backup.status == 0, "\(backup.error)")
        #expect(try await runAsync("backup", copy, "--database", database).status != 0)
        let restored = try SQLiteStore(path: copy, masterKey: .generate(), readOnly: true)
        #expect(try await restored.tokens().count == 5)
        #expect(try await restored.verifyAuditChain().ok)
        withExtendedLifetime(writer) {}
    }
}
