import Crypto
import Foundation

/// What a console session holds: who signed in and when. The session's key is the cookie; the store
/// keeps only its hash.
public struct ConsoleSession: Codable, Sendable, Equatable {
    public var userID: String
    public var signedInAt: Date

    /// The cookie's name; its path is `/console`, so the API and ingest never see it.
    static let cookieName = "console_session"
    /// A session ends after this long without a request…
    static let idleExpiry = Duration.seconds(30 * 60)
    /// …and this long after sign-in, however busy.
    static let absoluteExpiry: TimeInterval = 12 * 3600

    /// The form token bound to a session: derived from its cookie, so it needs no storage, and a page of
    /// another origin, which cannot read the cookie, cannot make it.
    static func csrfToken(forCookie cookie: String) -> String {
        Data(SHA256.hash(data: Data("lead-dispatcher console form\u{0}\(cookie)".utf8))).map { String(format: "%02x", $0) }.joined()
    }
}
