import PostgresNIO

/// Where the PostgreSQL database is and how to reach it: what a `postgres://` URL says, in the terms of
/// libpq's `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`).
public struct PostgresEndpoint: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: String
    /// Connections the pool may open to the server.
    public var maximumConnections: Int

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, sslMode: String = "prefer",
                maximumConnections: Int = 20) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.maximumConnections = maximumConnections
    }

    /// `user@host:port/database`: never the password.
    public var description: String { "\(username)@\(host):\(port)/\(database)" }

    /// TLS as libpq's `sslmode` means it: `require` encrypts without checking the certificate,
    /// `verify-ca` checks it against the system's authorities, `verify-full` the host name too.
    private var tlsConfiguration: TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case "disable":
            return nil
        case "verify-full":
            tls.certificateVerification = .fullVerification
        case "verify-ca":
            tls.certificateVerification = .noHostnameVerification
        default:
            tls.certificateVerification = .none
        }
        return tls
    }

    private var requiresTLS: Bool { ["require", "verify-ca", "verify-full"].contains(sslMode) }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = tlsConfiguration.map { requiresTLS ? .require($0) : .prefer($0) } ?? .disable
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                                         database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var tls = PostgresConnection.Configuration.TLS.disable
        if let tlsConfiguration {
            let context = try NIOSSLContext(configuration: tlsConfiguration)
            tls = requiresTLS ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password,
                                                             database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
