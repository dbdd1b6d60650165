import Foundation

/// Where the store lives, from the `database` setting: a file path (the embedded SQLite store) or a
/// `postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…` URL (`postgresql://` too). Parsed once, with each
/// mistake named; the password is never shown (`redacted`).
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// A URL is told from a path by its `scheme://`; anything else is a path.
    public init(_ text: String) throws(SettingsError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw SettingsError(key: "database", message: "must be a file path or a postgres:// URL") }
        guard let schemeEnd = trimmed.range(of: "://"),
              trimmed[..<schemeEnd.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else {
            self = .sqlite(path: text)
            return
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw SettingsError(key: "database", message: "'\(scheme)://' is not a database this service runs on: give a file path (SQLite) or a postgres:// URL")
        }
        self = .postgres(try PostgresURL(trimmed))
    }
}

/// `postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=MODE`, as libpq reads it: the port defaults to 5432,
/// user and password may be percent-encoded, `sslmode` is one of libpq's.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: String

    public init(_ text: String) throws(SettingsError) {
        func refuse(_ message: String) -> SettingsError {
            SettingsError(key: "database", message: "\(Self.redacted(text)): \(message)")
        }
        guard let components = URLComponents(string: text) else {
            throw refuse("is not a URL such as postgres://dispatcher:PASSWORD@db.example:5432/leads")
        }
        guard let host = components.host, !host.isEmpty else { throw refuse("names no host (postgres://USER:PASSWORD@HOST:5432/DB)") }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw refuse("names no user (postgres://USER:PASSWORD@HOST:5432/DB)")
        }
        if let port = components.port, !(1...65_535).contains(port) { throw refuse("port \(port) is not from 1 to 65535") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw refuse("names no database after the host (…:5432/DB)") }
        var sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, Self.sslModes.contains(value) else {
                    throw refuse("sslmode '\(item.value ?? "")' is not one of \(Self.sslModes.joined(separator: ", "))")
                }
                sslMode = value
            default:
                throw refuse("'\(item.name)' is not a parameter this service reads (only sslmode)")
            }
        }
        self.user = user
        password = components.password.flatMap { $0.removingPercentEncoding }
        self.host = host
        port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        self.sslMode = sslMode
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":•••")@\(host):\(port)/\(database)?sslmode=\(sslMode)"
    }

    /// `text` with whatever stands between `://USER:` and `@` masked, for a URL that did not parse.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text[schemeEnd.upperBound...].lastIndex(of: "@") else { return text }
        let credentials = text[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":•••" + String(text[at...])
    }
}
