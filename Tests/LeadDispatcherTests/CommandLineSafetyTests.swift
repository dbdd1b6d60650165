import Foundation
import LeadDispatcher
import LeadPolicy
import LeadStore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// The binary refuses what would lose keys or leads, and says so in one plain line.
extension CommandLineTests {
    /// Runs the binary for at most `seconds`, then stops it (SIGTERM) if it still runs. `stopped` says
    /// whether it had to be stopped: a `serve` that should have refused to start would run on.
    func runBounded(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 20) async throws -> (run: Run, stopped: Bool) {
        let (process, output, error) = process(arguments, environment: environment)
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.yield(); continuation.finish() }
        }
        try process.run()
        let stopped = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in exited { return false }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return true
            }
            let first = await group.next() ?? false
            if first, process.isRunning { process.terminate() }
            group.cancelAll()
            return first
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                    error: String(decoding: errorData, as: UTF8.self)), stopped)
    }

    var examplePolicy: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config/policy.example.json").path
    }

    func write(_ text: String, to name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func serveRefusesAMasterKeyThatDoesNotOpenTheStoredKeys() async throws {
        #expect(try await runAsync("policy", "import", examplePolicy, "--database", database).status == 0)
        let port = try ServeCommandTests.freePort()
        let wrongKey = MasterKey.generate().base64
        let (run, stopped) = try await runBounded(["serve", "--port", "\(port)", "--database", database],
                                                  environment: ["DISPATCHER_SECRET_KEY": wrongKey])
        #expect(!stopped, "serve started with a master key that opens none of the stored keys")
        #expect(run.status != 0)
        let lines = run.error.split(separator: "\n")
        #expect(lines.count == 1, "\(run.error)")
        #expect(run.error.contains("DISPATCHER_SECRET_KEY"), "\(run.error)")
        #expect(!run.error.contains(wrongKey))

        // The key file beside the database is named when it is the source.
        let keyFile = database + ".key"
        try Data((MasterKey.generate().base64 + "\n").utf8).write(to: URL(fileURLWithPath: keyFile + ".other"))
        let (other, otherStopped) = try await runBounded(["serve", "--port", "\(port)", "--database", database],
                                                         environment: ["DISPATCHER_KEY_FILE": keyFile + ".other"])
        #expect(!otherStopped && other.status != 0)
        #expect(other.error.contains(keyFile + ".other"), "\(other.error)")
    }

    @Test func aLostKeyFileIsNotReplacedByANewOne() async throws {
        #expect(try await runAsync("policy", "import", examplePolicy, "--database", database).status == 0)
        let keyFile = database + ".key"
        try FileManager.default.removeItem(atPath: keyFile)
        let port = try ServeCommandTests.freePort()
        let (run, stopped) = try await runBounded(["serve", "--port", "\(port)", "--database", database])
        #expect(!stopped && run.status != 0)
        #expect(run.error.contains("no key file at \(keyFile)") && run.error.contains("put that key file back"), "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: keyFile), "a new key was made for a database it cannot open")
    }

    @Test func policyImportOfAPartialDocumentChangesNothingAndRestoreBringsKeysBack() async throws {
        let imported = try await runAsync("policy", "import", examplePolicy, "--database", database)
        #expect(imported.status == 0)
        // The example's keys are placeholders: applied, and each one said.
        #expect(imported.error.split(separator: "\n").filter { $0.hasPrefix("warning: ") && $0.contains("placeholder key") }.count == 7,
                "\(imported.error)")
        let before = try await runAsync("policy", "export", "--database", database).output
        let partial = try await runAsync("policy", "import", try write(#"{"accounts": []}"#, to: "partial.json"), "--database", database)
        #expect(partial.status != 0)
        #expect(partial.error.contains("agents"), "\(partial.error)")
        #expect(try await runAsync("policy", "export", "--database", database).output == before)

        let empty = try await runAsync("policy", "import", try write(#"{"accounts":[],"agents":[],"pools":[],"rules":[]}"#, to: "empty.json"),
                            "--database", database)
        #expect(empty.status == 0, "\(empty.error)")
        // A rotation in between: the versions' keys are re-sealed too.
        #expect(try await runAsync("secrets", "rotate", "--database", database).status == 0)
        let restore = try await runAsync("policy", "restore", "1", "--database", database)
        #expect(restore.status == 0, "\(restore.error)")
        #expect(restore.output.contains("restored policy version 1 as version 3"), "\(restore.output)")
        #expect(try await runAsync("policy", "export", "--database", database).output == before)
        let store = try SQLiteStore(path: database, masterKey: try MasterKey.loadOrCreate(keyFile: database + ".key", create: false))
        #expect(try await store.secret(for: SecretOwner(kind: "agent", id: "maria-lopez")) == "REPLACE-with-Maria-Lopez-Lead-Import-key")
        try store.close()
        #expect(try await runAsync("policy", "restore", "42", "--database", database).error.contains("no policy version 42"))
    }

    @Test func anUnknownKeyInTheConfigFileStopsStartWithTheNearestName() async throws {
        let config = try write(#"{"crm_url": "http://127.0.0.1:9/clientapi/lead-import", "port": 0}"#, to: "dispatcher.json")
        let (run, stopped) = try await runBounded(["serve", "--config", config, "--database", database])
        #expect(!stopped, "serve started and ignored crm_url")
        #expect(run.status != 0)
        #expect(run.error.contains("'crm_url'") && run.error.contains("'crmUrl'"), "\(run.error)")

        let malformed = try write("{\"port\": 80,,}", to: "broken.json")
        let (broken, _) = try await runBounded(["serve", "--config", malformed, "--database", database])
        #expect(broken.status != 0)
        #expect(broken.error.contains("is not valid JSON"), "\(broken.error)")
        #expect(!broken.error.contains("NSCocoaErrorDomain"), "\(broken.error)")
    }

    @Test func startUpNamesWhereLeadsGoAndWarnsOfUnknownVariables() async throws {
        let port = try ServeCommandTests.freePort()
        let (run, stopped) = try await runBounded(
            ["serve", "--port", "\(port)", "--database", database, "--crm-url", "http://127.0.0.1:9/clientapi/lead-import", "--log-level", "notice"],
            environment: ["DISPATCHER_CRM_UR": "http://127.0.0.1:9/x"], seconds: 4)
        #expect(stopped, "serve stopped by itself: \(run.error)")
        #expect(run.error.contains("DISPATCHER_CRM_UR is set but is not a setting (did you mean DISPATCHER_CRM_URL?)"), "\(run.error)")
        let starting = run.error.split(separator: "\n").first { $0.contains("starting") }.map(String.init) ?? ""
        #expect(starting.contains("crm_url=http://127.0.0.1:9/clientapi/lead-import"), "\(run.error)")
        #expect(starting.contains("database=\(database)"), "\(run.error)")
        #expect(starting.contains("address=127.0.0.1:\(port)"), "\(run.error)")
    }

    @Test func backupsAreOwnerOnlyAndVerifyWithoutAnyMasterKey() async throws {
        _ = try await runAsync("token", "create", "--role", "admin", "--name", "ops", "--database", database)
        let copy = directory.appendingPathComponent("backups/monday.sqlite").path
        let missing = try await runAsync("backup", copy, "--database", database)
        #expect(missing.status != 0)
        #expect(missing.error.contains("there is no folder"), "\(missing.error)")
        #expect(!missing.error.contains("SQLite error"))

        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("backups").path, withIntermediateDirectories: true)
        #expect(try await runAsync("backup", copy, "--database", database).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // The copy has no key file beside it, and no key is given: verifying needs none.
        let verified = try await runAsync("audit", "verify", "--database", copy)
        #expect(verified.status == 0, "\(verified.error)")
        #expect(verified.output.contains("\"ok\":true"), "\(verified.output)")
    }

    @Test func rotationKeepsThePreviousKeyForOlderBackupsAndSaysSo() async throws {
        #expect(try await runAsync("policy", "import", examplePolicy, "--database", database).status == 0)
        let keyFile = database + ".key"
        let oldKey = try MasterKey.loadOrCreate(keyFile: keyFile, create: false)
        let rotated = try await runAsync("secrets", "rotate", "--database", database)
        #expect(rotated.status == 0, "\(rotated.error)")
        #expect(rotated.output.contains("backups taken before this rotation"), "\(rotated.output)")
        #expect(try MasterKey.loadOrCreate(keyFile: keyFile + ".old", create: false).base64 == oldKey.base64)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile + ".old")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A second rotation keeps the first's file too.
        #expect(try await runAsync("secrets", "rotate", "--database", database).status == 0)
        #expect(FileManager.default.fileExists(atPath: keyFile + ".old.2"))
        #expect(try MasterKey.loadOrCreate(keyFile: keyFile + ".old", create: false).base64 == oldKey.base64)
    }

    @Test func theLastAdminTokenCannotBeRevoked() async throws {
        _ = try await runAsync("token", "create", "--role", "admin", "--name", "only", "--database", database)
        let refused = try await runAsync("token", "revoke", "only", "--database", database)
        #expect(refused.status != 0)
        #expect(refused.error.contains("last live admin token"), "\(refused.error)")
        _ = try await runAsync("token", "create", "--role", "admin", "--name", "second", "--database", database)
        #expect(try await runAsync("token", "revoke", "only", "--database", database).status == 0)
    }

    @Test func aBusyPortIsSaidInWordsBeforeTheDatabaseIsTouched() async throws {
        // Something else listens on the port.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound && listen(listener, 1) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let (run, stopped) = try await runBounded(["serve", "--port", "\(port)", "--database", database])
        #expect(!stopped && run.status != 0)
        #expect(run.error.contains("port \(port) is in use"), "\(run.error)")
        #expect(!run.error.contains("errno"), "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: database), "the database was created before the port was checked")

        let words = try self.run("serve", "--port", "eighty", "--database", database)
        #expect(words.status != 0)
        #expect(words.error.contains("--port must be a whole number from 0 to 65535"), "\(words.error)")
        let environment = try self.run("serve", "--database", database, environment: ["DISPATCHER_PORT": "eighty"])
        #expect(environment.error.contains("must be a whole number from 0 to 65535, not 'eighty'"), "\(environment.error)")
    }

    @Test func migrateSaysWhatItAppliedAndPurgeRefusesZeroDays() async throws {
        let first = try await runAsync("migrate", "--database", database)
        #expect(first.output.contains("applied v5-restorable-versions"), "\(first.output)")
        let second = try await runAsync("migrate", "--database", database)
        #expect(second.status == 0)
        #expect(!second.output.contains("applied"), "\(second.output)")
        #expect(second.output.contains("nothing to apply"), "\(second.output)")

        let purge = try await runAsync("audit", "purge", "--older-than-days", "0", "--database", database)
        #expect(purge.status != 0)
        #expect(purge.error.contains("--older-than-days must be at least 1"), "\(purge.error)")
        let role = try await runAsync("token", "create", "--role", "root", "--database", database)
        #expect(role.status != 0)
        #expect(role.error.contains("'root'") && role.error.contains("admin") && role.error.contains("auditor"), "\(role.error)")
    }

    @Test func userCreatePrintsAGeneratedPasswordOnceAndListAndDisableWork() async throws {
        let created = try await runAsync("user", "create", "--email", "ann@sunset.example", "--role", "admin", "--name", "Ann", "--database", database)
        #expect(created.status == 0, "\(created.error)")
        let password = created.lastLine
        #expect(password.count == 20)
        let auditor = try runWithInput(["user", "create", "--email", "bo@sunset.example", "--role", "auditor", "--password-stdin",
                                        "--database", database], input: "a long enough secret\n")
        #expect(auditor.status == 0, "\(auditor.error)")
        #expect(!auditor.output.contains("a long enough secret"))
        let short = try runWithInput(["user", "create", "--email", "cy@sunset.example", "--role", "auditor", "--password-stdin",
                                      "--database", database], input: "short\n")
        #expect(short.status != 0 && short.error.contains("password"), "\(short.error)")
        let list = try await runAsync("user", "list", "--database", database)
        #expect(list.output.contains("ann\tann@sunset.example\tadmin\tAnn\tenabled"), "\(list.output)")
        #expect(!list.output.contains(password))
        #expect(try await runAsync("user", "disable", "ann@sunset.example", "--database", database).error.contains("last enabled console admin"))
        #expect(try await runAsync("user", "disable", "BO@sunset.example", "--database", database).status == 0)
        #expect(try await runAsync("user", "list", "--database", database).output.contains("bo@sunset.example\tauditor\tbo\tdisabled"))
        let store = try SQLiteStore(path: database, masterKey: nil, readOnly: true)
        let (_, hash) = try #require(try await store.userForSignIn(email: "ann@sunset.example"))
        #expect(await Passwords.verify(password, hash: hash))
        #expect(FileManager.default.contents(atPath: database)?.range(of: Data(password.utf8)) == nil)
    }

    /// Runs the binary with `input` on its standard input.
    func runWithInput(_ arguments: [String], input: String) throws -> Run {
        let (process, output, error) = process(arguments, environment: [:])
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   error: String(decoding: errorData, as: UTF8.self))
    }
}
