import Crypto
import Foundation
import Hummingbird
import LeadStore
import ServiceLifecycle

/// hummingbird-auth's session storage on the service's own database, so that console sessions survive
/// a restart. Keys (which carry the session cookie) are stored as their SHA-256 only. As a service it
/// removes expired sessions every hour.
struct DatabasePersistDriver: PersistDriver {
    let sessions: any SessionRepository
    /// For a value set without an expiry.
    static let defaultExpiry: TimeInterval = 12 * 3600

    static func keyHash(_ key: String) -> String {
        Data(SHA256.hash(data: Data(key.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let created = try await sessions.saveSession(keyHash: Self.keyHash(key), value: try Self.text(value), expiresAt: Self.date(expires),
                                                     defaultExpiry: Date().addingTimeInterval(Self.defaultExpiry), create: true)
        if !created { throw PersistError.duplicate }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try await sessions.saveSession(keyHash: Self.keyHash(key), value: try Self.text(value), expiresAt: Self.date(expires),
                                       defaultExpiry: Date().addingTimeInterval(Self.defaultExpiry), create: false)
    }

    func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        guard let text = try await sessions.sessionValue(keyHash: Self.keyHash(key), now: Date()) else { return nil }
        do {
            return try JSONDecoder().decode(Object.self, from: Data(text.utf8))
        } catch {
            throw PersistError.invalidConversion
        }
    }

    func remove(key: String) async throws {
        try await sessions.removeSession(keyHash: Self.keyHash(key))
    }

    /// Until shutdown, which ends it without an error (a service that throws would stop the others).
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await sessions.removeExpiredSessions(now: Date())
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }

    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func date(_ duration: Duration?) -> Date? {
        duration.map { Date().addingTimeInterval(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) }
    }
}
