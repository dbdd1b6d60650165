import Foundation

/// Fairness: per agent and per Admin key, the leads received against the share the weights entitled
/// it to among the leads it was eligible for, and why it was passed over when it was.
public struct DistributionTally: Sendable {
    public struct Item: Sendable, Equatable {
        public var target: Target
        public var received = 0
        /// Leads the agent could have taken by the rotation (it was an available member of the pool
        /// that chose, and the lead was not sticky).
        public var eligible = 0
        /// The sum, over those leads, of its weight divided by the available weights.
        public var entitled = 0.0
        /// Passed over, by reason: `inactive`, `at_cap`, `off_hours`, `away`, `not_member`, `sticky_elsewhere`.
        public var skips: [String: Int] = [:]

        /// The share of its eligible leads the weights entitled it to, 0 to 1.
        public var entitledShare: Double { eligible == 0 ? 0 : entitled / Double(eligible) }
        /// The leads the weights entitled it to (`entitled`): what `received` is measured against.
        public var expected: Double { entitled }
    }

    /// Agents that count even when no lead reached them, with their accounts.
    private let agentAccounts: [String: String]
    private var items: [Target: Item] = [:]

    public init(agents: [Agent]) {
        agentAccounts = Dictionary(agents.map { ($0.id, $0.accountID) }, uniquingKeysWith: { first, _ in first })
        for agent in agents {
            let target = Target.agent(agentID: agent.id, accountID: agent.accountID)
            items[target] = Item(target: target)
        }
    }

    /// The pool whose rotation decided, when one did: the step that chose (or the last one tried).
    public static func pool(of decision: Decision) -> String? {
        guard let step = decision.explanation.steps.last(where: { $0.target != nil }) ?? decision.explanation.steps.last,
              case .pool(let poolID) = step.action else { return nil }
        return poolID
    }

    public mutating func add(_ decision: Decision) {
        if let target = decision.target {
            items[target, default: Item(target: target)].received += 1
        }
        // The step that chose (or the last one tried) says who could have had the lead.
        guard let step = decision.explanation.steps.last(where: { $0.target != nil }) ?? decision.explanation.steps.last else { return }
        var considered = Set<String>()
        for skip in step.skipped {
            considered.insert(skip.agentID)
            bump(skip.agentID, reason: skip.reason.rawValue)
        }
        switch step.action {
        case .pool:
            let eligible = step.eligible ?? []
            let total = Double(eligible.reduce(0) { $0 + $1.weight })
            for member in eligible {
                considered.insert(member.agentID)
                if step.sticky == true {
                    if member.agentID != step.target?.agentID { bump(member.agentID, reason: "sticky_elsewhere") }
                } else if total > 0 {
                    let target = self.target(member.agentID)
                    items[target, default: Item(target: target)].eligible += 1
                    items[target, default: Item(target: target)].entitled += Double(member.weight) / total
                }
            }
            for agentID in agentAccounts.keys where !considered.contains(agentID) {
                bump(agentID, reason: "not_member")
            }
        case .agent(let agentID) where step.target != nil:
            let target = self.target(agentID)
            items[target, default: Item(target: target)].eligible += 1
            items[target, default: Item(target: target)].entitled += 1
        default:
            break
        }
    }

    /// Agents first (by id), then Admin keys (by account).
    public var result: [Item] {
        items.values.sorted { lhs, rhs in
            switch (lhs.target, rhs.target) {
            case (.agent(let a, _), .agent(let b, _)): a < b
            case (.admin(let a), .admin(let b)): a < b
            case (.agent, .admin): true
            case (.admin, .agent): false
            }
        }
    }

    private func target(_ agentID: String) -> Target {
        .agent(agentID: agentID, accountID: agentAccounts[agentID] ?? "")
    }

    private mutating func bump(_ agentID: String, reason: String) {
        let target = self.target(agentID)
        items[target, default: Item(target: target)].skips[reason, default: 0] += 1
    }
}
