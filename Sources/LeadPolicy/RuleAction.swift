import Foundation

/// What a matching rule does with a lead: one agent's key, a pool's round robin, or an account's
/// Admin key (Buying Buddy's own CRM Round Robin).
public enum RuleAction: Sendable, Equatable {
    case agent(agentID: String)
    case pool(poolID: String)
    case crmRoundRobin(accountID: String)

    public static let typeNames = ["agent", "pool", "crm_round_robin"]

    public var typeName: String {
        switch self {
        case .agent: "agent"
        case .pool: "pool"
        case .crmRoundRobin: "crm_round_robin"
        }
    }

    /// Checks that the entity the action names exists. `field` is `action` or `fallback`.
    func validate(in policy: Policy, field: String) throws(PolicyError) {
        switch self {
        case .agent(let agentID) where policy.agent(agentID) == nil:
            throw PolicyError(.unknownReference, field: field + ".agent_id", "no agent '\(agentID)'")
        case .pool(let poolID) where policy.pool(poolID) == nil:
            throw PolicyError(.unknownReference, field: field + ".pool_id", "no pool '\(poolID)'")
        case .crmRoundRobin(let accountID) where policy.account(accountID) == nil:
            throw PolicyError(.unknownReference, field: field + ".account_id", "no account '\(accountID)'")
        default:
            break
        }
    }
}

extension RuleAction: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case type
        case agentID = "agent_id"
        case poolID = "pool_id"
        case accountID = "account_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "agent":
            try decoder.rejectUnknownKeys(allowed: ["type", "agent_id"])
            self = .agent(agentID: try container.decode(String.self, forKey: .agentID))
        case "pool":
            try decoder.rejectUnknownKeys(allowed: ["type", "pool_id"])
            self = .pool(poolID: try container.decode(String.self, forKey: .poolID))
        case "crm_round_robin":
            try decoder.rejectUnknownKeys(allowed: ["type", "account_id"])
            self = .crmRoundRobin(accountID: try container.decode(String.self, forKey: .accountID))
        default:
            throw PolicyError.invalid(
                PolicyError.path(decoder.codingPath, CodingKeys.type),
                "must be one of \(Self.typeNames.joined(separator: ", ")), not '\(type)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .type)
        switch self {
        case .agent(let agentID): try container.encode(agentID, forKey: .agentID)
        case .pool(let poolID): try container.encode(poolID, forKey: .poolID)
        case .crmRoundRobin(let accountID): try container.encode(accountID, forKey: .accountID)
        }
    }
}
