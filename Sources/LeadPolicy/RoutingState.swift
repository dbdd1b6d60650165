import Foundation

/// A pool's smooth weighted round-robin state: each member's current weight.
///
/// Each pick adds every eligible member's weight to its current weight, chooses the highest (the
/// earlier member on a tie) and subtracts the eligible total from the chosen one. With equal weights
/// this is exactly Buying Buddy's rotation: every member once per round, in member order. A skipped
/// member's current weight does not grow, so an agent back from a pause gets no burst of leads.
public struct PoolRotation: Sendable, Equatable, Codable {
    public var current: [String: Int]

    public init(current: [String: Int] = [:]) {
        self.current = current
    }
}

/// A lead of the same email that went to an agent before, for sticky pools.
public struct PreviousAssignment: Sendable, Equatable {
    public var agentID: String
    public var at: Date

    public init(agentID: String, at: Date) {
        self.agentID = agentID
        self.at = at
    }
}

/// Everything the engine reads besides the lead and the policy. The store assembles it inside the
/// write transaction, so every decision sees the effect of the one before.
public struct RoutingState: Sendable, Equatable {
    /// By pool id; a pool without an entry starts from zero.
    public var rotations: [String: PoolRotation]
    /// Leads each agent has received today (in the configured time zone), by agent id.
    public var leadsToday: [String: Int]
    /// This lead's email's earlier assignments to agents, newest first.
    public var previousAssignments: [PreviousAssignment]
    public var now: Date

    public init(rotations: [String: PoolRotation] = [:], leadsToday: [String: Int] = [:],
                previousAssignments: [PreviousAssignment] = [], now: Date = Date()) {
        self.rotations = rotations
        self.leadsToday = leadsToday
        self.previousAssignments = previousAssignments
        self.now = now
    }
}

extension PreviousAssignment: Codable {
    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case at
    }
}

extension RoutingState: Codable {
    enum CodingKeys: String, CodingKey {
        case rotations
        case leadsToday = "leads_today"
        case previousAssignments = "previous_assignments"
        case now
    }
}

extension RoutingState {
    /// Only what this decision read: the rotations of the pools its steps used and the counts of the
    /// agents they considered. Deciding the same lead again in this smaller state gives the same decision.
    public func restricted(to decision: Decision, policy: Policy) -> RoutingState {
        var pools = Set<String>()
        var agents = Set<String>()
        for step in decision.explanation.steps {
            switch step.action {
            case .pool(let poolID):
                pools.insert(poolID)
                // The policy's own member set: building one per lead cost as much as the decision.
                if let pool = policy.pool(poolID) {
                    agents = agents.isEmpty ? policy.memberIDs(of: pool) : agents.union(policy.memberIDs(of: pool))
                }
            case .agent(let agentID):
                agents.insert(agentID)
            case .crmRoundRobin:
                break
            }
        }
        return RoutingState(rotations: rotations.filter { pools.contains($0.key) },
                            leadsToday: leadsToday.filter { agents.contains($0.key) },
                            previousAssignments: previousAssignments.filter { agents.contains($0.agentID) },
                            now: now)
    }
}
