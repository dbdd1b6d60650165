import Foundation

/// The Buying Buddy key a lead is delivered with: one agent's own key, or an account's Admin key
/// (which hands the lead to Buying Buddy's own CRM Round Robin).
public enum Target: Sendable, Hashable {
    case agent(agentID: String, accountID: String)
    case admin(accountID: String)

    public var accountID: String {
        switch self {
        case .agent(_, let accountID), .admin(let accountID): accountID
        }
    }

    public var agentID: String? {
        if case .agent(let agentID, _) = self { return agentID }
        return nil
    }

    public var kind: String {
        switch self {
        case .agent: "agent"
        case .admin: "admin"
        }
    }
}

extension Target: Codable {
    enum CodingKeys: String, CodingKey {
        case kind
        case agentID = "agent_id"
        case accountID = "account_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let accountID = try container.decode(String.self, forKey: .accountID)
        switch try container.decode(String.self, forKey: .kind) {
        case "agent": self = .agent(agentID: try container.decode(String.self, forKey: .agentID), accountID: accountID)
        case "admin": self = .admin(accountID: accountID)
        case let other: throw PolicyError.invalid(PolicyError.path(container.codingPath, CodingKeys.kind), "must be agent or admin, not '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(agentID, forKey: .agentID)
        try container.encode(accountID, forKey: .accountID)
    }
}
