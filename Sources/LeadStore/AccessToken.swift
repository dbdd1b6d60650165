import Foundation

/// What a bearer token may do.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Everything.
    case admin
    /// Every read, no write.
    case auditor
}

/// A bearer token for the admin and audit APIs, as stored: its hash, never the token itself.
public struct AccessToken: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: Role
    public var createdAt: String
    public var revokedAt: String?

    public var isRevoked: Bool { revokedAt != nil }

    package init(id: String, name: String, role: Role, createdAt: String, revokedAt: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
