import Foundation

/// A local round robin over agents: smooth weighted, skipping agents that are inactive or at their
/// daily cap; with `stickyDays` > 0 a repeat lead goes back to the agent it went to before.
public struct Pool: PolicyEntity {
    public static let kind = "pool"
    public static let collection = "pools"
    public static var keyPath: WritableKeyPath<Policy, [Pool]> { \.pools }
    public static let secretField: String? = nil
    public static let idFallback = "pool"
    public static let stickyDaysRange = 0...3650

    public struct Member: Codable, Sendable, Equatable {
        public var agentID: String
        /// Overrides the agent's own weight in this pool.
        public var weight: Int?

        public init(agentID: String, weight: Int? = nil) {
            self.agentID = agentID
            self.weight = weight
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case agentID = "agent_id"
            case weight
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            agentID = try container.decode(String.self, forKey: .agentID)
            weight = try container.decodeWholeNumberIfPresent(forKey: .weight)
        }
    }

    public var id: String
    public var name: String
    /// In rotation order: with equal weights, members receive leads in this order.
    public var members: [Member]
    public var stickyDays: Int

    public init(id: String, name: String, members: [Member], stickyDays: Int = 0) {
        self.id = id
        self.name = name
        self.members = members
        self.stickyDays = stickyDays
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, members
        case stickyDays = "sticky_days"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeSlug(forKey: .id, required: true)!
        name = try container.decodeTrimmedString(forKey: .name)!
        members = try container.decodeIfPresent([Member].self, forKey: .members) ?? []
        stickyDays = try container.decodeWholeNumberIfPresent(forKey: .stickyDays) ?? 0
    }

    /// The weight a member has in this pool: its own, or its agent's.
    public func weight(of member: Member, in policy: Policy) -> Int {
        member.weight ?? policy.agent(member.agentID)?.weight ?? 1
    }

    public func validate(in policy: Policy, context: ValidationContext) throws(PolicyError) {
        try Validation.name(name)
        var seen = Set<String>()
        for (index, member) in members.enumerated() {
            let field = "members[\(index)]"
            guard policy.agent(member.agentID) != nil else {
                throw PolicyError(.unknownReference, field: field + ".agent_id", "no agent '\(member.agentID)'")
            }
            guard seen.insert(member.agentID).inserted else {
                throw .invalid(field + ".agent_id", "agent '\(member.agentID)' is already a member of this pool")
            }
            if let weight = member.weight {
                try Validation.weight(weight, field: field + ".weight")
            }
        }
        guard Self.stickyDaysRange.contains(stickyDays) else {
            throw .invalid("sticky_days", "must be a whole number from 0 to \(Self.stickyDaysRange.upperBound)")
        }
    }
}
