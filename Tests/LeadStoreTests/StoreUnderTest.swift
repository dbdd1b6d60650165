import Foundation
import LeadStore
import LeadStorePostgres
import LeadStoreSQLite
import PostgresNIO
import PostgresTestCluster
import Testing

/// The databases a store can run on: the store suite runs each of its tests on both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// Every repository: what the suite tests on both databases.
typealias ConfigurationStore = DispatcherStore

/// A fresh, empty, migrated store of one kind for one test: a SQLite file in a temporary folder, or a
/// new database on the test cluster.
final class StoreUnderTest: Sendable {
    let kind: StoreKind
    let store: any ConfigurationStore
    let masterKey: MasterKey
    let sqlite: TemporaryDatabase?
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

    /// Everything the database keeps, as bytes to search for a secret: the SQLite file and its WAL, or
    /// every row of every table as PostgreSQL writes it out as text (a `bytea` column in hex, so a
    /// secret is searched for in hex too by `holdsAtRest`).
    func bytesAtRest() async throws -> Data {
        switch kind {
        case .sqlite:
            return try #require(sqlite).bytesOnDisk()
        case .postgres:
            let cluster = try await PostgresTestCluster.shared()
            return try await cluster.withConnection(database: try #require(databaseName)) { connection in
                var data = Data()
                let tables = try await connection.query("""
                    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name
                    """, logger: PostgresTestCluster.logger).collect().map { try $0.decode(String.self) }
                for table in tables {
                    for row in try await connection.query(PostgresQuery(unsafeSQL: "SELECT t::text FROM \"\(table)\" t"),
                                                          logger: PostgresTestCluster.logger).collect() {
                        data.append(Data(try row.decode(String.self).utf8))
                        data.append(0x0A)
                    }
                }
                return data
            }
        }
    }

    /// Whether `secret` is anywhere in what the database keeps, as text or (PostgreSQL's bytea) hex.
    func holdsAtRest(_ secret: String) async throws -> Bool {
        let bytes = try await bytesAtRest()
        let hex = Data(secret.utf8).map { String(format: "%02x", $0) }.joined()
        return bytes.range(of: Data(secret.utf8)) != nil || bytes.range(of: Data(hex.utf8)) != nil
    }

    /// The same database opened again, as after a restart: this store is closed first.
    func reopen() async throws -> StoreUnderTest {
        await close()
        switch kind {
        case .sqlite:
            let database = try #require(sqlite)
            return StoreUnderTest(kind: kind, store: try database.open(), masterKey: masterKey, sqlite: database, postgres: nil, databaseName: nil)
        case .postgres:
            let store = try await secondInstance()
            return StoreUnderTest(kind: kind, store: store, masterKey: masterKey, sqlite: nil, postgres: store, databaseName: databaseName)
        }
    }

    func close() async {
        await postgres?.close()
        try? (store as? SQLiteStore)?.close()
    }
}
