import Foundation

/// What the policy engine looks at in a lead: who sent it, the fields rules match on, and every field
/// as received for rules' field conditions.
public struct Lead: Sendable, Equatable {
    public var vendorID: String?
    /// As given, trimmed; sticky routing compares it case-insensitively.
    public var email: String?
    /// Trimmed.
    public var campaignID: String?
    /// Trimmed, without empty ones, in the order given.
    public var tags: [String] {
        didSet { loweredTags = Self.lowered(tags) }
    }
    /// The tags as rules compare them (case-insensitively), each once. Made with the lead — for a
    /// vendor's lead, by its request — rather than by every decision inside the one writer.
    public private(set) var loweredTags: Set<String>
    /// Every field as received (the vendor's key removed), for rules' field conditions.
    public var fields: [String: JSONValue]

    public init(vendorID: String? = nil, email: String? = nil, campaignID: String? = nil, tags: [String] = [],
                fields: [String: JSONValue] = [:]) {
        self.vendorID = vendorID
        self.fields = fields
        self.email = email?.trimmingWhitespace.nilIfEmpty
        self.campaignID = campaignID?.trimmingWhitespace.nilIfEmpty
        let tags = tags.map(\.trimmingWhitespace).filter { !$0.isEmpty }
        self.tags = tags
        loweredTags = Self.lowered(tags)
    }

    private static func lowered(_ tags: [String]) -> Set<String> {
        Set(tags.map { $0.lowercased() })
    }

    /// The email as sticky routing and audit queries compare it.
    public var normalizedEmail: String? { email?.lowercased() }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
