import LeadStore
import PostgresNIO

/// PostgreSQL's failures in words for the people starting the service, and the ones the service
/// answers differently (a full disk, a server that went away).
enum PostgresFailure {
    /// SQLSTATE classes and codes the service tells apart.
    static let invalidPassword = "28P01"
    static let invalidAuthorization = "28000"
    static let unknownDatabase = "3D000"
    static let diskFull = "53100"
    static let serializationFailure = "40001"
    static let deadlockDetected = "40P01"
    static let cannotConnectNow = "57P03"
    static let adminShutdown = "57P01"

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// What went wrong connecting to `endpoint`, naming the server and user, never the password.
    static func words(_ error: any Error, endpoint: PostgresEndpoint) -> String {
        let server = "PostgreSQL at \(endpoint.host):\(endpoint.port)"
        switch sqlState(error) {
        case invalidPassword?, invalidAuthorization?:
            return "\(server) refused user '\(endpoint.username)': wrong password, or no such user (check the database URL)"
        case unknownDatabase?:
            return "\(server) has no database '\(endpoint.database)': create it first (createdb \(endpoint.database))"
        case cannotConnectNow?:
            return "\(server) is starting up or shutting down: try again in a moment"
        case let state?:
            return "\(server) refused the connection (SQLSTATE \(state)): \((error as? PSQLError)?.serverInfo?[.message] ?? "")"
        case nil:
            break
        }
        if let error = error as? PSQLError {
            if error.code == .sslUnsupported {
                return "\(server) does not offer TLS, which sslmode=\(endpoint.sslMode) requires"
            }
            if error.code == .connectionError || error.code == .serverClosedConnection, let underlying = error.underlying {
                return "cannot reach \(server): \(underlying)"
            }
            return "cannot reach \(server): \(error.code)"
        }
        return "cannot reach \(server): \(error)"
    }
}
