import Foundation

/// A pool's rotation as a person asks about it — "why not me?": each member's weight, its current
/// weight in the smooth weighted round robin, today's leads against its cap, whether it can take a
/// lead now and why not, and who is next up. Worked out by the engine itself: the next lead to this
/// pool (without an email, so no stickiness) is decided in the current state, and nothing advances.
public struct PoolRotationView: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var agentID: String
        public var weight: Int
        public var currentWeight: Int
        public var today: Int
        public var dailyCap: Int?
        public var available: Bool
        /// Why the member cannot take a lead now (`inactive`, `at_cap`, `unknown_agent`); nil when it can.
        public var reason: String?
    }

    public var poolID: String
    /// The agent the next lead to this pool goes to; nil when nobody is available.
    public var next: String?
    public var members: [Member]

    /// Nil when the policy has no such pool.
    public init?(poolID: String, policy: Policy, state: RoutingState) {
        guard let pool = policy.pool(poolID) else { return nil }
        var probe = policy
        probe.rules = [Rule(id: "rotation", name: "rotation", priority: 0, action: .pool(poolID: poolID))]
        let step = RoutingEngine.decide(Lead(), policy: probe, state: state).decision.explanation.steps.first
        let skipped = Dictionary((step?.skipped ?? []).map { ($0.agentID, $0.reason.rawValue) }, uniquingKeysWith: { first, _ in first })
        let current = state.rotations[poolID]?.current ?? [:]
        self.poolID = poolID
        next = step?.target?.agentID
        members = pool.members.map { member in
            let agent = policy.agent(member.agentID)
            return Member(agentID: member.agentID, weight: member.weight ?? agent?.weight ?? 1, currentWeight: current[member.agentID] ?? 0,
                          today: state.leadsToday[member.agentID] ?? 0, dailyCap: agent?.dailyCap,
                          available: skipped[member.agentID] == nil, reason: skipped[member.agentID])
        }
    }
}
