/// The lookups the engine makes for every lead, built once per policy rather than searched for in
/// every decision: agents and pools by id, pool membership, and the rules in the order they are tried.
/// With a thousand agents a linear search per pool member made one decision cost milliseconds.
final class PolicyIndex: Sendable {
    let accounts: [String: Account]
    let agents: [String: Agent]
    let pools: [String: Pool]
    let rules: [String: Rule]
    let memberIDs: [String: Set<String>]
    /// Each pool's members with what the rotation needs of their agents, in member order: a pool
    /// decision reads this instead of looking up (and copying) every member's agent.
    let poolMembers: [String: [PoolMember]]
    let rulesInPriorityOrder: [Rule]

    init(accounts: [Account], agents: [Agent], pools: [Pool], rules: [Rule]) {
        // The first of duplicate ids wins, as a linear search would find it (validation refuses them).
        self.accounts = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.agents = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.pools = Dictionary(pools.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.rules = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.memberIDs = self.pools.mapValues { Set($0.members.map(\.agentID)) }
        let agentsByID = self.agents
        self.poolMembers = self.pools.mapValues { pool in
            pool.members.map { member in PoolMember(member, agent: agentsByID[member.agentID]) }
        }
        self.rulesInPriorityOrder = rules.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
    }
}

/// A pool member as the rotation sees it.
struct PoolMember: Sendable {
    let agentID: String
    /// False when the policy has no such agent (validation refuses that; a stale state may not).
    let known: Bool
    let active: Bool
    let dailyCap: Int?
    /// The member's weight in the pool, or its agent's.
    let weight: Int

    init(_ member: Pool.Member, agent: Agent?) {
        agentID = member.agentID
        known = agent != nil
        active = agent?.active ?? false
        dailyCap = agent?.dailyCap
        weight = member.weight ?? agent?.weight ?? 1
    }
}
