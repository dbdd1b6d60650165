import LeadDispatcher
import LeadStorePostgres

extension PostgresURL {
    /// The store's terms for what the URL says.
    public var endpoint: PostgresEndpoint {
        PostgresEndpoint(host: host, port: port, username: user, password: password, database: database, sslMode: sslMode)
    }
}
