import Foundation
import LeadStore
import Logging
import PostgresNIO

/// The PostgreSQL implementation of the repositories, for one or several instances on one database.
///
/// One `PostgresClient` (a pool of connections) per store, run for as long as the store is open.
/// Unlike SQLite, several processes write this database at once: whatever one process could keep to
/// itself (the audit chain's tail, a rotation, a claim) is taken from rows locked in the transaction
/// that uses it — see ARCHITECTURE.md, "Several instances on PostgreSQL".
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Nil for a store opened without a master key (commands that never open a CRM key).
    let secretBox: SecretBox?
    /// Where the database is, for messages: `user@host:port/database`, never the password.
    public let location: String
    /// The migrations this open applied, oldest first (empty when the schema was up to date).
    public let migrationsApplied: [String]
    /// The policy in force, kept between batches by the policy's generation (`policy_generation`),
    /// which every change on any instance moves: a batch reads one number to know it is current.
    let policyCache = PolicyCache()
    /// This instance among the others on the database: the owner named on its delivery claims.
    public let instanceID: String
    /// Whether the server answers now (see `PostgresAvailability`).
    let availability: PostgresAvailability
    /// To and from the other instances (see `PostgresSignals`).
    let signals: PostgresSignals
    private let running: Task<Void, Never>

    /// Connects, migrates (waiting for another instance migrating at the same moment), and checks the
    /// master key against the keys stored (the first store to open an empty database records it).
    ///
    /// Throws `StoreError.unavailable` naming the server and what went wrong when the server cannot be
    /// reached or refuses the user, and `StoreError.wrongMasterKey` when another key sealed the keys.
    public static func open(_ endpoint: PostgresEndpoint, masterKey: MasterKey?, migrate: Bool = true,
                            logger: Logger = Logger(label: "lead-dispatcher.postgres")) async throws -> PostgresStore {
        let location = endpoint.description
        try await checkReachable(endpoint, logger: logger)
        let client = PostgresClient(configuration: endpoint.clientConfiguration, backgroundLogger: logger)
        let instanceID = "instance-" + UUID().uuidString.lowercased().prefix(13)
        let signals = PostgresSignals(instanceID: instanceID, logger: logger) { notification in
            // A signal is a hint: not worth a wait longer than this while the server is slow or away.
            _ = try await PostgresDeadline.run(.seconds(3)) { try await client.query(notification, logger: logger).collect() }
        }
        let availability = PostgresAvailability(endpoint: endpoint, signals: signals, logger: logger)
        // Started at once, up to its first suspension, so that the pool is running before the first query.
        let running = Task.immediate {
            async let watched: Void = availability.watch()
            await client.run()
            await watched
        }
        do {
            let applied = migrate ? try await PostgresMigrator.migrate(client, logger: logger) : []
            if !migrate {
                let names = try await PostgresMigrator.applied(client, logger: logger)
                guard names == PostgresMigrator.allNames else {
                    throw StoreError.conflict("the database \(location) is not fully migrated: run `lead-dispatcher migrate`")
                }
            }
            let secretBox = masterKey.map(SecretBox.init(masterKey:))
            if let secretBox {
                try await PostgresSealedSecrets.verify(secretBox, client: client, logger: logger)
            }
            return PostgresStore(client: client, running: running, availability: availability, signals: signals, instanceID: instanceID,
                                 logger: logger, secretBox: secretBox, location: location, migrationsApplied: applied)
        } catch {
            signals.finish()
            running.cancel()
            await running.value
            throw error
        }
    }

    private init(client: PostgresClient, running: Task<Void, Never>, availability: PostgresAvailability, signals: PostgresSignals,
                 instanceID: String, logger: Logger, secretBox: SecretBox?, location: String, migrationsApplied: [String]) {
        self.client = client
        self.running = running
        self.availability = availability
        self.signals = signals
        self.instanceID = instanceID
        self.logger = logger
        self.secretBox = secretBox
        self.location = location
        self.migrationsApplied = migrationsApplied
    }

    /// The client, once the server is known to answer: while it does not, `StoreError.unavailable` at
    /// once rather than a wait for as long as it is away.
    var checkedClient: PostgresClient {
        get throws {
            try availability.check()
            return client
        }
    }

    /// The rows of one statement, read whole within `limit` (`PostgresDeadline`), once the server is
    /// known to answer.
    @discardableResult
    func rows(_ query: PostgresQuery, limit: Duration = operationLimit) async throws -> [PostgresRow] {
        let client = try checkedClient
        let logger = logger
        return try await PostgresDeadline.run(limit) { try await client.query(query, logger: logger).collect() }
    }

    /// `rows`, by column name.
    func columns(_ query: PostgresQuery, limit: Duration = operationLimit) async throws -> [PostgresColumns] {
        try await rows(query, limit: limit).map(PostgresColumns.init)
    }

    /// One connection of the pool for `body`, within `limit`, once the server is known to answer.
    func withConnection<Result: Sendable>(limit: Duration = operationLimit,
                                          _ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let client = try checkedClient
        return try await PostgresDeadline.run(limit) { try await client.withConnection { connection in try await body(connection) } }
    }

    /// Closes every connection.
    public func close() async {
        signals.finish()
        running.cancel()
        await running.value
    }

    /// The box that opens stored CRM keys; throws for a store opened without a master key.
    func requireSecretBox() throws -> SecretBox {
        guard let secretBox else { throw StoreError.masterKey("this database was opened without a master key") }
        return secretBox
    }

    /// One connection before the pool starts: the pool retries a failing server quietly and forever,
    /// which at start would hang the service instead of saying what is wrong.
    private static func checkReachable(_ endpoint: PostgresEndpoint, logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: try endpoint.connectionConfiguration(), id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw StoreError.unavailable(PostgresFailure.words(error, endpoint: endpoint))
        }
    }
}

extension PostgresStore {
    /// Runs `body` in one transaction, committed when it returns and rolled back when it throws;
    /// the error thrown is `body`'s own (a `PolicyError` stays one), not the driver's wrapper.
    ///
    /// Writers take their locks in one order (the policy lock, the routing lock, leads, outbox rows,
    /// the chain's head last), so two transactions should never wait for each other in a circle; should
    /// PostgreSQL still pick one as a deadlock's victim (or fail it to keep transactions serializable),
    /// it is run again, up to three times, since nothing of it was committed.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        var attempt = 1
        while true {
            do {
                let client = try checkedClient
                let logger = logger
                return try await PostgresDeadline.run(Self.operationLimit) {
                    try await Self.unwrapped { try await client.withTransaction(logger: logger) { connection in try await body(connection) } }
                }
            } catch where attempt < 3 && [PostgresFailure.deadlockDetected, PostgresFailure.serializationFailure].contains(PostgresFailure.sqlState(error)) {
                logger.warning("transaction retried", metadata: ["sqlstate": "\(PostgresFailure.sqlState(error) ?? "")", "attempt": "\(attempt)"])
                attempt += 1
            }
        }
    }

    /// The longest a transaction may take (see `PostgresDeadline`): far past any the service makes,
    /// waiting for locks included.
    static let operationLimit: Duration = .seconds(30)

    static func unwrapped<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            if let failure = error.beginError ?? error.commitError ?? error.rollbackError { throw failure }
            throw error
        }
    }
}
