import Foundation

/// Console sessions as opaque values with an expiry, by the hash of their key (the cookie): what a
/// session middleware's persistence needs, and no more. A read of an expired session finds nothing.
public protocol SessionRepository: Sendable {
    /// The value stored for `keyHash`, unless it has expired.
    func sessionValue(keyHash: String, now: Date) async throws -> String?
    /// Writes the value; with `create`, fails (returns false) when the key exists already. A nil
    /// `expiresAt` keeps an existing session's expiry (a new one gets `defaultExpiry`).
    @discardableResult
    func saveSession(keyHash: String, value: String, expiresAt: Date?, defaultExpiry: Date, create: Bool) async throws -> Bool
    /// Keeps the value and sets a new expiry; false when there is no such session.
    @discardableResult
    func renewSession(keyHash: String, expiresAt: Date) async throws -> Bool
    func removeSession(keyHash: String) async throws
    /// Removes every expired session; returns how many.
    @discardableResult
    func removeExpiredSessions(now: Date) async throws -> Int
}
