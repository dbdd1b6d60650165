import Configuration
import Foundation
import Logging

/// Every setting of the service, read once at start-up from a `ConfigReader`.
///
/// Each setting has one name in three spellings: the flag (`--crm-url`), the environment variable
/// (`DISPATCHER_CRM_URL`) and the JSON key (`crmUrl`). A flag beats the environment, which beats
/// the file, which beats the defaults here.
public struct DispatcherSettings: Sendable {
    public static let buyingBuddyLeadImportURL = "https://www.leadsandcontacts.com/clientapi/lead-import"

    public var host = "127.0.0.1"
    public var port = 8080
    public var database = "./data/dispatcher.sqlite"
    public var crmURL = Self.buyingBuddyLeadImportURL
    public var retryInitialDelay: Double = 1
    public var retryMaxDelay: Double = 300
    public var maxAttempts = 10
    /// The largest request body accepted, in bytes (ingest answers 413 beyond it).
    public var maxBodyBytes = 64 * 1024
    /// The largest admin-API body (a whole policy document), in bytes.
    public var maxAdminBodyBytes = 4 * 1024 * 1024
    public var logLevel: Logger.Level = .info
    /// How leads are posted to Buying Buddy: `json`, `form` or `multipart`.
    public var deliveryFormat: DeliveryFormat = .json
    /// Seconds an attempt may take, connection included.
    public var deliveryTimeout: Double = 15
    /// The most leads committed in one write transaction (group commit).
    public var ingestBatchSize = 100
    /// Seconds a batch that is not full waits for more leads before it commits; 0 commits at once
    /// whatever gathered while the previous batch was committing.
    public var ingestBatchWait: Double = 0
    /// Deliveries in flight at once.
    public var deliveryConcurrency = 8
    /// `{"success": false}` answers tolerated before a lead is dead (each is retried with backoff).
    public var maxRejections = 3
    /// Seconds a shutdown waits for deliveries in flight.
    public var shutdownGracePeriod: Double = 20
    /// Failures in a row that open a target's circuit (deliveries to it then wait).
    public var circuitThreshold = 5
    /// Seconds an open circuit waits before a probe; doubles after a failed probe, up to ten times this.
    public var circuitCoolDown: Double = 30
    /// Seconds a delivery claim lasts beyond the longest its lead can wait and be attempted: on
    /// PostgreSQL, how long after an instance dies its claimed leads wait before another takes them.
    public var claimLeaseMargin: Double = 60
    /// Seconds a connection may stay idle (a slow or stalled client) before it is closed.
    public var idleTimeout: Double = 30
    /// Days after which a lead's contact fields are erased (its decision record stays); 0 keeps them forever.
    public var retentionDays = 0
    /// The time zone whose midnight resets the agents' daily caps.
    public var timeZone = TimeZone(identifier: "UTC")!
    /// The master key for CRM keys at rest (base64 of 32 bytes); when absent, `keyFile` is used.
    public var secretKey: String?
    /// Where the master key is kept when `secretKey` is not given; default `<database>.key`.
    public var keyFile: String?

    public init() {}

    /// Reads and checks every setting. Throws `SettingsError` naming the first key that is malformed
    /// or out of range.
    public init(reader: ConfigReader) throws(SettingsError) {
        let values = SettingsValues(reader: reader)
        host = try values.string("host", default: host)
        port = try values.int("port", default: port, range: 0...65535)
        database = try values.string("database", default: database)
        crmURL = try values.string("crmUrl", default: crmURL)
        retryInitialDelay = try values.double("retryInitialDelay", default: retryInitialDelay, range: 0.001...86400)
        retryMaxDelay = try values.double("retryMaxDelay", default: retryMaxDelay, range: 0.001...86400)
        maxAttempts = try values.int("maxAttempts", default: maxAttempts, range: 1...1000)
        maxBodyBytes = try values.int("maxBodyBytes", default: maxBodyBytes, range: 1024...(16 * 1024 * 1024))
        maxAdminBodyBytes = try values.int("maxAdminBodyBytes", default: maxAdminBodyBytes, range: 1024...(256 * 1024 * 1024))
        let level = try values.string("logLevel", default: logLevel.rawValue)
        guard let parsedLevel = Logger.Level(rawValue: level.lowercased()) else {
            throw SettingsError(key: "logLevel", message: "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        logLevel = parsedLevel
        let format = try values.string("deliveryFormat", default: deliveryFormat.rawValue)
        guard let parsedFormat = DeliveryFormat(rawValue: format) else {
            throw SettingsError(key: "deliveryFormat", message: "must be json, form or multipart, not '\(format)'")
        }
        deliveryFormat = parsedFormat
        deliveryTimeout = try values.double("deliveryTimeout", default: deliveryTimeout, range: 0.01...600)
        ingestBatchSize = try values.int("ingestBatchSize", default: ingestBatchSize, range: 1...1000)
        ingestBatchWait = try values.double("ingestBatchWait", default: ingestBatchWait, range: 0...0.1)
        deliveryConcurrency = try values.int("deliveryConcurrency", default: deliveryConcurrency, range: 1...256)
        maxRejections = try values.int("maxRejections", default: maxRejections, range: 1...100)
        shutdownGracePeriod = try values.double("shutdownGracePeriod", default: shutdownGracePeriod, range: 0...600)
        retentionDays = try values.int("retentionDays", default: retentionDays, range: 0...36_500)
        idleTimeout = try values.double("idleTimeout", default: idleTimeout, range: 0.1...3600)
        circuitThreshold = try values.int("circuitThreshold", default: circuitThreshold, range: 1...1000)
        circuitCoolDown = try values.double("circuitCoolDown", default: circuitCoolDown, range: 0.01...3600)
        claimLeaseMargin = try values.double("claimLeaseMargin", default: claimLeaseMargin, range: 1...3600)
        let zone = try values.string("timeZone", default: timeZone.identifier)
        guard let parsedZone = TimeZone(identifier: zone) else {
            throw SettingsError(key: "timeZone", message: "'\(zone)' is not a time zone name such as UTC or America/New_York")
        }
        timeZone = parsedZone
        secretKey = try values.optionalString("secretKey", isSecret: true)
        keyFile = try values.optionalString("keyFile")

        guard retryInitialDelay <= retryMaxDelay else {
            throw SettingsError(key: "retryInitialDelay", message: "must not exceed retryMaxDelay (\(retryMaxDelay))")
        }
        // Parsed here, before anything is opened or logged: a malformed URL is named (without its
        // password) rather than taken for a file path.
        _ = try DatabaseLocation(database)
        try CRMEndpoint.validate(crmURL, key: "crmUrl")
    }

    /// Where the database is: a SQLite file, or a PostgreSQL server (`postgres://…`).
    public var databaseLocation: DatabaseLocation {
        (try? DatabaseLocation(database)) ?? .sqlite(path: database)
    }

    /// The database for a message or a log line: the path, or the URL with its password hidden.
    public var databaseDescription: String {
        switch databaseLocation {
        case .sqlite(let path): path
        case .postgres(let url): url.description
        }
    }

    /// The key file in force: the configured one, or `<database>.key`.
    public var effectiveKeyFile: String {
        keyFile ?? database + ".key"
    }
}

/// How a lead's fields are posted to Buying Buddy.
public enum DeliveryFormat: String, Sendable, CaseIterable {
    case json
    case form
    case multipart
}

/// A setting that stops start-up, with the key in the spelling of the JSON file.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String {
        "invalid setting '\(key)' (flag --\(SettingsNames.flag(key)), environment \(SettingsNames.environment(key))): \(message)"
    }
}

/// The settings as a log line shows them — ServiceLifecycle writes every service, settings included,
/// at `debug` — with the master key and the database password hidden.
extension DispatcherSettings: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let fields = Mirror(reflecting: self).children.compactMap { child -> String? in
            guard let label = child.label else { return nil }
            switch label {
            case "secretKey": return "secretKey: \(secretKey == nil ? "nil" : "•••")"
            case "database": return "database: \(databaseDescription)"
            default: return "\(label): \(child.value)"
            }
        }
        return "DispatcherSettings(\(fields.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }
}
