import Foundation

/// The whole routing configuration: what `GET /v1/policy` shows and `policy import` applies.
/// Secrets are not part of it; the store keeps them beside it.
public struct Policy: Codable, Sendable, Equatable {
    public var accounts: [Account] { didSet { reindex() } }
    public var agents: [Agent] { didSet { reindex() } }
    public var pools: [Pool] { didSet { reindex() } }
    public var rules: [Rule] { didSet { reindex() } }
    /// Rebuilt whenever an entity changes, so lookups are always of the policy as it stands.
    private(set) var index: PolicyIndex

    public init(accounts: [Account] = [], agents: [Agent] = [], pools: [Pool] = [], rules: [Rule] = []) {
        self.accounts = accounts
        self.agents = agents
        self.pools = pools
        self.rules = rules
        index = PolicyIndex(accounts: accounts, agents: agents, pools: pools, rules: rules)
    }

    private mutating func reindex() {
        index = PolicyIndex(accounts: accounts, agents: agents, pools: pools, rules: rules)
    }

    public static func == (lhs: Policy, rhs: Policy) -> Bool {
        lhs.accounts == rhs.accounts && lhs.agents == rhs.agents && lhs.pools == rhs.pools && lhs.rules == rhs.rules
    }

    public func account(_ id: String) -> Account? { index.accounts[id] }
    public func agent(_ id: String) -> Agent? { index.agents[id] }
    public func pool(_ id: String) -> Pool? { index.pools[id] }
    public func rule(_ id: String) -> Rule? { index.rules[id] }

    /// A pool with its members' availability, weights and targets, in member order; nil when the
    /// policy has no such pool.
    func roster(_ poolID: String) -> PoolRoster? {
        index.rosters[poolID]
    }

    /// Rules in the order the engine tries them: ascending priority, ties broken by id so that the
    /// order never depends on insertion.
    public var rulesInPriorityOrder: [Rule] { index.rulesInPriorityOrder }

    /// The position in `rulesInPriorityOrder` of the first rule that fits `lead`, decided at `at`.
    func firstRuleFitting(_ lead: Lead, at: Date) -> Int? { index.firstRuleFitting(lead, at: at) }

    /// The entities that name the given one, as `kind 'id'` strings, for "still referenced" errors.
    public func referrers<Entity: PolicyEntity>(of entity: Entity.Type, id: String) -> [String] {
        var result: [String] = []
        func actionNames(_ action: RuleAction?) -> Bool {
            switch (action, Entity.kind) {
            case (.agent(let agentID)?, Agent.kind): agentID == id
            case (.pool(let poolID)?, Pool.kind): poolID == id
            case (.crmRoundRobin(let accountID)?, Account.kind): accountID == id
            default: false
            }
        }
        switch Entity.kind {
        case Account.kind:
            result += agents.filter { $0.accountID == id }.map { "agent '\($0.id)'" }
        case Agent.kind:
            result += pools.filter { $0.members.contains { $0.agentID == id } }.map { "pool '\($0.id)'" }
        default:
            break
        }
        result += rules.filter { actionNames($0.action) || actionNames($0.fallback) }.map { "rule '\($0.id)'" }
        return result
    }

    /// Rules that name a vendor in their match, for "vendor still referenced" errors.
    public func rulesNaming(vendorID: String) -> [String] {
        rules.filter { $0.match.vendorIDs?.contains(vendorID) ?? false }.map { "rule '\($0.id)'" }
    }

    /// Checks every entity, reporting the first problem with its path in the document
    /// (`agents[2].account_id`).
    public func validate(context: ValidationContext) throws(PolicyError) {
        try validate(\.accounts, context: context)
        try validate(\.agents, context: context)
        try validate(\.pools, context: context)
        try validate(\.rules, context: context)
    }

    private func validate<Entity: PolicyEntity>(_ keyPath: KeyPath<Policy, [Entity]>, context: ValidationContext) throws(PolicyError) {
        var seen = Set<String>()
        for (index, entity) in self[keyPath: keyPath].enumerated() {
            let prefix = "\(Entity.collection)[\(index)]"
            guard seen.insert(entity.id).inserted else {
                throw PolicyError(.duplicate, field: prefix + ".id", "duplicate \(Entity.kind) id '\(entity.id)'")
            }
            do {
                try entity.validate(in: self, context: context)
            } catch {
                throw error.prefixed(prefix)
            }
        }
    }
}

extension Policy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case accounts, agents, pools, rules
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accounts = try container.decodeIfPresent([Account].self, forKey: .accounts) ?? []
        agents = try container.decodeIfPresent([Agent].self, forKey: .agents) ?? []
        pools = try container.decodeIfPresent([Pool].self, forKey: .pools) ?? []
        rules = try container.decodeIfPresent([Rule].self, forKey: .rules) ?? []
        index = PolicyIndex(accounts: accounts, agents: agents, pools: pools, rules: rules)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accounts, forKey: .accounts)
        try container.encode(agents, forKey: .agents)
        try container.encode(pools, forKey: .pools)
        try container.encode(rules, forKey: .rules)
    }
}
