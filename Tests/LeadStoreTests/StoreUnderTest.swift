import Foundation
import LeadStore
import LeadStorePostgres
import LeadStoreSQLite
import PostgresTestCluster
import Testing

/// The databases a store can run on: the store suite runs each of its tests on both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// What the PostgreSQL store implements so far, and the suite tests on both databases.
typealias ConfigurationStore = PolicyRepository & VendorRepository & TokenRepository & UserRepository & SessionRepository
    & AuditEventRepository & StoreHealth

/// A fresh, empty, migrated store of one kind for one test: a SQLite file in a temporary folder, or a
/// new database on the test cluster.
final class StoreUnderTest: Sendable {
    let kind: StoreKind
    let store: any ConfigurationStore
    let masterKey: MasterKey
    private let sqlite: TemporaryDatabase?
    private let postgres: PostgresStore?
    /// The PostgreSQL database's name, for a second instance or raw SQL.
    let databaseName: String?

    static func open(_ kind: StoreKind, masterKey: MasterKey = .generate()) async throws -> StoreUnderTest {
        switch kind {
        case .sqlite:
            let database = try TemporaryDatabase(masterKey: masterKey)
            return StoreUnderTest(kind: kind, store: try database.open(), masterKey: masterKey, sqlite: database, postgres: nil, databaseName: nil)
        case .postgres:
            let cluster = try await PostgresTestCluster.shared()
            let name = try await cluster.makeDatabase(prefix: "store").name
            let store = try await PostgresStore.open(Self.endpoint(cluster, database: name), masterKey: masterKey)
            return StoreUnderTest(kind: kind, store: store, masterKey: masterKey, sqlite: nil, postgres: store, databaseName: name)
        }
    }

    private init(kind: StoreKind, store: any ConfigurationStore, masterKey: MasterKey, sqlite: TemporaryDatabase?, postgres: PostgresStore?,
                 databaseName: String?) {
        self.kind = kind
        self.store = store
        self.masterKey = masterKey
        self.sqlite = sqlite
        self.postgres = postgres
        self.databaseName = databaseName
    }

    static func endpoint(_ cluster: PostgresTestCluster, database: String) -> PostgresEndpoint {
        PostgresEndpoint(host: "127.0.0.1", port: cluster.port, username: PostgresTestCluster.user, password: cluster.password,
                         database: database, sslMode: "disable")
    }

    /// Another instance on the same PostgreSQL database, as a second `serve` behind a load balancer.
    func secondInstance() async throws -> PostgresStore {
        let cluster = try await PostgresTestCluster.shared()
        return try await PostgresStore.open(Self.endpoint(cluster, database: try #require(databaseName)), masterKey: masterKey)
    }

    func close() async {
        await postgres?.close()
    }
}
