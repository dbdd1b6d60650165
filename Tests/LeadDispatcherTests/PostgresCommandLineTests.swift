import Foundation
import LeadStore
import PostgresTestCluster
import Testing

/// The binary on a `postgres://` URL, as an operator would run it against their PostgreSQL.
@Suite struct PostgresCommandLineTests {
    let cli: CommandLineTests
    let cluster: PostgresTestCluster
    let database: String
    let key = MasterKey.generate().base64

    init() async throws {
        cli = try CommandLineTests()
        cluster = try await PostgresTestCluster.shared()
        database = try await cluster.makeDatabase(prefix: "cli").name
    }

    var url: String { cluster.url(database: database) }

    @Test func migrateAppliesTheSchemaOnceAndNeverPrintsThePassword() async throws {
        let first = try await cli.runAsync("migrate", "--database", url, environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("applied v13-schema"), "\(first.output)")
        #expect(first.output.contains("postgres://dispatcher:•••@127.0.0.1:\(cluster.port)/\(database)"), "\(first.output)")
        let again = try await cli.runAsync("migrate", "--database", url, environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(again.status == 0 && again.output.contains("was up to date (schema v13-schema); nothing to apply"), "\(again.output)")
        for run in [first, again] {
            #expect(!run.output.contains(cluster.password) && !run.error.contains(cluster.password))
        }
        // Another master key on the same database: refused, saying every instance needs the same one.
        let other = try await cli.runAsync("migrate", "--database", url, environment: ["DISPATCHER_SECRET_KEY": MasterKey.generate().base64])
        #expect(other.status != 0 && other.error.contains("every instance on one database must use the same master key"), "\(other.error)")
    }

    @Test func aURLNeedsAMasterKeyFromTheEnvironmentOrAnExplicitKeyFile() async throws {
        let none = try await cli.runAsync("migrate", "--database", url)
        #expect(none.status != 0)
        #expect(none.error.contains("DISPATCHER_SECRET_KEY") && none.error.contains("keyFile"), "\(none.error)")
        let missing = try await cli.runAsync("migrate", "--database", url, environment: ["DISPATCHER_KEY_FILE": cli.directory.appendingPathComponent("none.key").path])
        #expect(missing.status != 0 && missing.error.contains("none.key"), "\(missing.error)")
        // Nothing was made beside the URL.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).isEmpty)
    }

    @Test func aWrongPasswordOrAnUnreachableServerIsOneLineWithoutThePassword() async throws {
        let wrong = "postgres://dispatcher:not-the-password@127.0.0.1:\(cluster.port)/\(database)"
        let refused = try await cli.runAsync("migrate", "--database", wrong, environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(refused.status != 0)
        #expect(refused.error.split(separator: "\n").count == 1, "\(refused.error)")
        #expect(refused.error.contains("refused user 'dispatcher'") && !refused.error.contains("not-the-password"), "\(refused.error)")
        let away = try await cli.runAsync("migrate", "--database", "postgres://dispatcher:pw-123456@127.0.0.1:1/leads", environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(away.status != 0 && away.error.contains("cannot reach PostgreSQL at 127.0.0.1:1") && !away.error.contains("pw-123456"), "\(away.error)")
    }

    @Test func backupOnAURLPointsToPgDumpAndExitsTwo() async throws {
        let run = try await cli.runAsync("backup", cli.directory.appendingPathComponent("copy.sqlite").path, "--database", url,
                              environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(run.status == 2)
        #expect(run.error.contains("pg_dump") && run.error.contains("OPERATIONS.md"), "\(run.error)")
        #expect(!run.error.contains(cluster.password) && !run.output.contains(cluster.password))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).isEmpty, "no file made")
    }

    @Test func tokenUserPolicyAndAuditVerifyWorkOnAURL() async throws {
        let environment = ["DISPATCHER_SECRET_KEY": key]
        let token = try await cli.runAsync("token", "create", "--role", "admin", "--name", "ops", "--database", url, environment: environment)
        #expect(token.status == 0 && token.lastLine.hasPrefix("ldt_"), "\(token.error)")
        let user = try await cli.runAsync("user", "create", "--email", "ann@sunset.example", "--role", "admin", "--database", url, environment: environment)
        #expect(user.status == 0, "\(user.error)")
        let policy = cli.directory.appendingPathComponent("policy.json").path
        try Data(#"{"accounts":[{"id":"acme","name":"Acme","admin_api_key":"bb-admin-acme-0001"}],"agents":[],"pools":[],"rules":[]}"#.utf8)
            .write(to: URL(fileURLWithPath: policy))
        let imported = try await cli.runAsync("policy", "import", policy, "--database", url, environment: environment)
        #expect(imported.status == 0, "\(imported.error)")
        let exported = try await cli.runAsync("policy", "export", "--database", url, environment: environment)
        #expect(exported.output.contains(#""id" : "acme""#) || exported.output.contains(#""id":"acme""#), "\(exported.output)")
        #expect(!exported.output.contains("bb-admin-acme-0001"))
        let listed = try await cli.runAsync("token", "list", "--database", url, environment: environment)
        #expect(listed.output.contains("ops"))
        // Verifying needs no master key.
        let verified = try await cli.runAsync("audit", "verify", "--database", url)
        #expect(verified.status == 0 && verified.lastLine.contains(#""checked":3"#), "\(verified.output) \(verified.error)")
        // A new master key: every key re-sealed, the old one no longer opens them, the new one does.
        let rotated = try await cli.runAsync("secrets", "rotate", "--database", url, environment: environment)
        #expect(rotated.status == 0, "\(rotated.error)")
        let lines = rotated.output.split(separator: "\n").map(String.init)
        let newKey = try #require(lines.dropFirst().first)
        #expect(rotated.output.contains("re-encrypted 1 CRM keys"), "\(rotated.output)")
        #expect(try await cli.runAsync("token", "list", "--database", url, environment: environment).status == 0, "reading needs no key")
        #expect(try await cli.runAsync("migrate", "--database", url, environment: environment).status != 0, "the old key opens nothing")
        #expect(try await cli.runAsync("migrate", "--database", url, environment: ["DISPATCHER_SECRET_KEY": newKey]).status == 0)
    }
}
