import Foundation

/// Failures of the store that are not policy validation errors.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process (usually `lead-dispatcher serve`) holds the database for writing.
    case databaseInUse(path: String)
    /// The writer connection does not run with the durability the service promises.
    case durabilityNotGuaranteed(synchronous: Int)
    /// The master key is missing, malformed or does not open the stored secrets.
    case masterKey(String)
    /// The master key given does not open the secrets stored in the database.
    case wrongMasterKey
    /// A stored secret could not be decrypted (wrong master key or a tampered row).
    case secretUnreadable(owner: String)
    case notFound(kind: String, id: String)
    case conflict(String)
    /// The database server cannot be reached, or refuses to let the service in (a wrong password, a
    /// database that does not exist): what and where, never the password.
    case unavailable(String)

    public var description: String {
        switch self {
        case .databaseInUse(let path):
            "the database \(path) is in use by another lead-dispatcher process (the service?); SQLite is written by one process only: stop it first, or make this change through the REST API"
        case .durabilityNotGuaranteed(let synchronous):
            "PRAGMA synchronous reads back \(synchronous) on the writer connection, not 2 (FULL): refusing to accept leads without durable commits"
        case .masterKey(let message):
            "master key: \(message)"
        case .wrongMasterKey:
            "the master key does not open the CRM keys stored in this database"
        case .secretUnreadable(let owner):
            "the stored secret of \(owner) cannot be decrypted with this master key"
        case .notFound(let kind, let id):
            "no \(kind) '\(id)'"
        case .conflict(let message):
            message
        case .unavailable(let message):
            message
        }
    }
}
