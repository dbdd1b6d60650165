import Foundation

/// A lead vendor: posts leads to the ingest endpoint with its own dispatcher key (kept as a hash).
public struct Vendor: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Leads a minute before ingest answers 429; nil is unlimited.
    public var rateLimitPerMinute: Int?
    /// The same email and campaign again inside this window is a duplicate; 0 is off.
    public var dedupeWindowMinutes: Int
    public var createdAt: String
    /// The mask of its key (`••••abcd`), so a person can tell keys apart; the key itself is not kept.
    public var apiKeyMask: String

    public init(id: String, name: String, rateLimitPerMinute: Int? = nil, dedupeWindowMinutes: Int = 0,
                createdAt: String = Timestamp.string(Date()), apiKeyMask: String = SecretMask.prefix) {
        self.id = id
        self.apiKeyMask = apiKeyMask
        self.name = name
        self.rateLimitPerMinute = rateLimitPerMinute
        self.dedupeWindowMinutes = dedupeWindowMinutes
        self.createdAt = createdAt
    }
}
