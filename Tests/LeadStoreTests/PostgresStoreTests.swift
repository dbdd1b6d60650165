import Foundation
import LeadStore
import LeadStorePostgres
import PostgresNIO
import PostgresTestCluster
import Testing

/// A PostgreSQL store opening: its migrations (once, even when two instances start together), the
/// master key every instance must share, and each way the server can refuse, in words.
@Suite struct PostgresStoreTests {
    static func endpoint(_ cluster: PostgresTestCluster, database: String, password: String? = nil) -> PostgresEndpoint {
        PostgresEndpoint(host: "127.0.0.1", port: cluster.port, username: PostgresTestCluster.user, password: password ?? cluster.password,
                         database: database, sslMode: "disable")
    }

    @Test func migratesOnceAndListsWhatItApplied() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.makeDatabase()
        let key = MasterKey.generate()
        let first = try await PostgresStore.open(Self.endpoint(cluster, database: database.name), masterKey: key)
        #expect(first.migrationsApplied == ["v13-schema"])
        #expect(try await first.appliedMigrations() == ["v13-schema"])
        #expect(await first.isReady())
        let settings = Dictionary(uniqueKeysWithValues: try await first.durabilitySettings().map { ($0.name, $0.value) })
        #expect(settings["synchronous_commit"] == "on" && settings["fsync"] == "on", "\(settings)")
        try await first.probeWrite()
        await first.close()
        let again = try await PostgresStore.open(Self.endpoint(cluster, database: database.name), masterKey: key)
        #expect(again.migrationsApplied.isEmpty)
        await again.close()
    }

    @Test func twoInstancesStartingTogetherMigrateOnce() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.makeDatabase()
        let key = MasterKey.generate()
        let endpoint = Self.endpoint(cluster, database: database.name)
        async let one = PostgresStore.open(endpoint, masterKey: key)
        async let two = PostgresStore.open(endpoint, masterKey: key)
        let stores = try await [one, two]
        #expect(stores.map(\.migrationsApplied).sorted { $0.count < $1.count } == [[], ["v13-schema"]])
        for store in stores { await store.close() }
    }

    @Test func anInstanceWithAnotherMasterKeyRefusesToStart() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.makeDatabase()
        let endpoint = Self.endpoint(cluster, database: database.name)
        let first = try await PostgresStore.open(endpoint, masterKey: MasterKey.generate())
        await #expect(throws: StoreError.wrongMasterKey) {
            let second = try await PostgresStore.open(endpoint, masterKey: MasterKey.generate())
            await second.close()
        }
        #expect(await first.isReady())
        await first.close()
    }

    @Test func aServerThatRefusesIsSaidInWordsWithoutThePassword() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.makeDatabase()
        let cases: [(PostgresEndpoint, String)] = [
            (Self.endpoint(cluster, database: database.name, password: "not-the-password"), "refused user 'dispatcher': wrong password"),
            (Self.endpoint(cluster, database: "no_such_database"), "has no database 'no_such_database'"),
            (PostgresEndpoint(host: "127.0.0.1", port: 1, username: "dispatcher", password: "secret-pw", database: "x", sslMode: "disable"),
             "cannot reach PostgreSQL at 127.0.0.1:1"),
        ]
        for (endpoint, words) in cases {
            do {
                let store = try await PostgresStore.open(endpoint, masterKey: MasterKey.generate())
                await store.close()
                Issue.record("\(endpoint.description) opened")
            } catch let error as StoreError {
                #expect(error.description.contains(words), "\(error)")
                #expect(!error.description.contains(endpoint.password ?? "-"), "\(error)")
            }
        }
    }
}
