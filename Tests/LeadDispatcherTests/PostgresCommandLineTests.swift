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

    @Test func migrateAppliesTheSchemaOnceAndNeverPrintsThePassword() throws {
        let first = try cli.run("migrate", "--database", url, environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("applied v13-schema"), "\(first.output)")
        #expect(first.output.contains("postgres://dispatcher:•••@127.0.0.1:\(cluster.port)/\(database)"), "\(first.output)")
        let again = try cli.run("migrate", "--database", url, environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(again.status == 0 && again.output.contains("was up to date (schema v13-schema); nothing to apply"), "\(again.output)")
        for run in [first, again] {
            #expect(!run.output.contains(cluster.password) && !run.error.contains(cluster.password))
        }
        // Another master key on the same database: refused, saying every instance needs the same one.
        let other = try cli.run("migrate", "--database", url, environment: ["DISPATCHER_SECRET_KEY": MasterKey.generate().base64])
        #expect(other.status != 0 && other.error.contains("every instance on one database must use the same master key"), "\(other.error)")
    }

    @Test func aURLNeedsAMasterKeyFromTheEnvironmentOrAnExplicitKeyFile() throws {
        let none = try cli.run("migrate", "--database", url)
        #expect(none.status != 0)
        #expect(none.error.contains("DISPATCHER_SECRET_KEY") && none.error.contains("keyFile"), "\(none.error)")
        let missing = try cli.run("migrate", "--database", url, environment: ["DISPATCHER_KEY_FILE": cli.directory.appendingPathComponent("none.key").path])
        #expect(missing.status != 0 && missing.error.contains("none.key"), "\(missing.error)")
        // Nothing was made beside the URL.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).isEmpty)
    }

    @Test func aWrongPasswordOrAnUnreachableServerIsOneLineWithoutThePassword() throws {
        let wrong = "postgres://dispatcher:not-the-password@127.0.0.1:\(cluster.port)/\(database)"
        let refused = try cli.run("migrate", "--database", wrong, environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(refused.status != 0)
        #expect(refused.error.split(separator: "\n").count == 1, "\(refused.error)")
        #expect(refused.error.contains("refused user 'dispatcher'") && !refused.error.contains("not-the-password"), "\(refused.error)")
        let away = try cli.run("migrate", "--database", "postgres://dispatcher:pw-123456@127.0.0.1:1/leads", environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(away.status != 0 && away.error.contains("cannot reach PostgreSQL at 127.0.0.1:1") && !away.error.contains("pw-123456"), "\(away.error)")
    }

    @Test func serveOnAURLIsRefusedClearlyForNow() throws {
        let run = try cli.run("serve", "--database", url, environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(run.status != 0)
        #expect(run.error.contains("only `lead-dispatcher migrate` runs on PostgreSQL"), "\(run.error)")
        #expect(!run.error.contains(cluster.password) && !run.output.contains(cluster.password))
        #expect(!FileManager.default.fileExists(atPath: cli.directory.appendingPathComponent("postgres:").path))
    }
}
