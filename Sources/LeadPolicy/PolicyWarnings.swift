import Foundation

/// What in a valid policy cannot work as written. A change that leads to these is still applied (an
/// admin may be part way through a larger change), and its answer carries them so that nobody learns
/// it from a dead or misrouted lead.
public enum PolicyWarnings {
    /// Enabled rules whose action, and fallback if any, can find nobody however many leads come:
    /// an agent that is inactive, a pool without an active member. (Daily caps and the hour of the
    /// day change with time, so they are no reason for a warning.)
    public static func unreachableRules(in policy: Policy) -> [String] {
        var warnings: [String] = []
        for (index, rule) in policy.rules.enumerated() where rule.enabled {
            guard let actionProblem = problem(rule.action, in: policy) else { continue }
            if let fallback = rule.fallback {
                guard let fallbackProblem = problem(fallback, in: policy) else { continue }
                warnings.append("rules[\(index)] '\(rule.id)': its action and its fallback can find nobody (\(actionProblem); \(fallbackProblem)): every lead it matches stays unrouted")
            } else {
                warnings.append("rules[\(index)] '\(rule.id)': its action can find nobody (\(actionProblem)) and it has no fallback: every lead it matches stays unrouted")
            }
        }
        return warnings
    }

    /// Why an action can find nobody, or nil when it can find someone.
    static func problem(_ action: RuleAction, in policy: Policy) -> String? {
        switch action {
        case .agent(let agentID):
            guard let agent = policy.agent(agentID) else { return "agent '\(agentID)' does not exist" }
            if policy.account(agent.accountID)?.active == false { return "agent '\(agentID)''s account '\(agent.accountID)' is inactive" }
            return agent.active ? nil : "agent '\(agentID)' is inactive"
        case .pool(let poolID):
            guard let pool = policy.pool(poolID) else { return "pool '\(poolID)' does not exist" }
            if pool.members.isEmpty { return "pool '\(poolID)' has no members" }
            return pool.members.contains { member in
                policy.agent(member.agentID).map { $0.active && policy.account($0.accountID)?.active != false } ?? false
            } ? nil : "pool '\(poolID)' has no active member"
        case .crmRoundRobin(let accountID):
            // An active account's Admin key always takes the lead; Buying Buddy's rotation picks the user.
            return policy.account(accountID)?.active == false ? "account '\(accountID)' is inactive" : nil
        }
    }
}

/// The keys `Config/policy.example.json` ships with (`REPLACE-with-…`): a policy applied from the
/// example as it is would otherwise send every lead to Buying Buddy with a key that cannot work.
public enum PlaceholderKey {
    public static let prefix = "REPLACE-with-"

    public static func isPlaceholder(_ key: String) -> Bool {
        key.hasPrefix(prefix)
    }
}
