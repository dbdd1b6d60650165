import Foundation

/// The policy engine: lead + policy + routing state in; decision, explanation and the new rotation
/// state out. Pure and deterministic — the same inputs give the same decision — so a decision can be
/// re-derived later from what was recorded.
public enum RoutingEngine {
    public struct Outcome: Sendable, Equatable {
        public var decision: Decision
        /// The pool whose rotation this decision advanced, with the rotation now, to be stored in the
        /// same transaction. A decision advances at most one: the round robin of the step that found the
        /// target. (Not a dictionary: building one for every decision cost a tenth of it.)
        public var advanced: AdvancedRotation?

        /// `advanced`, by pool id.
        public var rotations: [String: PoolRotation] {
            advanced.map { [$0.poolID: $0.rotation] } ?? [:]
        }
    }

    public struct AdvancedRotation: Sendable, Equatable {
        public var poolID: String
        public var rotation: PoolRotation
    }

    public static func decide(_ lead: Lead, policy: Policy, state: RoutingState) -> Outcome {
        var state = state
        return route(lead, policy: policy, state: &state, advancing: false)
    }

    /// The same decision, with `state`'s rotations advanced in place to where it leaves them (today's
    /// counts and earlier assignments stay the caller's to update), for a caller deciding lead after
    /// lead — a backtest, a simulation: a large pool's rotation is then advanced where it lies, not
    /// copied for every lead and stored back.
    public static func decide(_ lead: Lead, policy: Policy, advancing state: inout RoutingState) -> Outcome {
        route(lead, policy: policy, state: &state, advancing: true)
    }

    private static func route(_ lead: Lead, policy: Policy, state: inout RoutingState, advancing: Bool) -> Outcome {
        let rules = policy.rulesInPriorityOrder
        // The policy index finds the first rule that fits; the checks of the rules before it (and of
        // every rule, when none fits) are the same as trying each one would give, made when read.
        guard let position = policy.firstRuleFitting(lead, at: state.now) else {
            let summary: Explanation.Summary = policy.rules.isEmpty ? .noRules : .noRuleMatched
            let checks = RuleChecks(rules: rules, count: rules.count, lastMatched: false, lead: lead, at: state.now)
            return Outcome(decision: Decision(ruleID: nil, via: nil, target: nil,
                                              explanation: Explanation(summary: summary, rules: checks, steps: [])),
                           advanced: nil)
        }
        return carryOut(rules[position], lead: lead, policy: policy, state: &state, advancing: advancing,
                        checks: RuleChecks(rules: rules, count: position + 1, lastMatched: true, lead: lead, at: state.now))
    }

    private static func carryOut(_ rule: Rule, lead: Lead, policy: Policy, state: inout RoutingState, advancing: Bool,
                                 checks: RuleChecks) -> Outcome {
        var steps: [ActionStep] = []
        // The action, then the fallback if the action found nobody: the first target found decides.
        func attempt(_ action: RuleAction, via: String) -> Outcome? {
            let step = resolve(action, via: via, lead: lead, policy: policy, state: &state, advancing: advancing)
            steps.append(step.step)
            guard let target = step.step.target else { return nil }
            let advanced = step.rotation.flatMap { rotation in
                if case .pool(let poolID) = action { AdvancedRotation(poolID: poolID, rotation: rotation) } else { nil }
            }
            return Outcome(decision: Decision(ruleID: rule.id, via: via, target: target,
                                              explanation: Explanation(summary: .chose(ruleID: rule.id, via: via, target: target,
                                                                                               stepNote: step.step.noteSentence),
                                                                       rules: checks, steps: steps)),
                           advanced: advanced)
        }
        if let outcome = attempt(rule.action, via: "action") { return outcome }
        if let fallback = rule.fallback, let outcome = attempt(fallback, via: "fallback") { return outcome }
        let summary: Explanation.Summary = rule.fallback == nil
            ? .nobodyAndNoFallback(ruleID: rule.id) : .nobodyInActionOrFallback(ruleID: rule.id)
        return Outcome(decision: Decision(ruleID: rule.id, via: nil, target: nil,
                                          explanation: Explanation(summary: summary, rules: checks, steps: steps)),
                       advanced: nil)
    }

    private struct Resolution {
        var step: ActionStep
        var rotation: PoolRotation?
    }

    private static func resolve(_ action: RuleAction, via: String, lead: Lead, policy: Policy, state: inout RoutingState,
                                advancing: Bool) -> Resolution {
        switch action {
        case .crmRoundRobin(let accountID):
            if policy.account(accountID)?.active == false {
                return Resolution(step: ActionStep(via: via, action: action, target: nil, skipped: [],
                                                   note: .accountInactive(accountID: accountID)),
                                  rotation: nil)
            }
            return Resolution(step: ActionStep(via: via, action: action, target: .admin(accountID: accountID), skipped: [],
                                               note: .crmRoundRobin(accountID: accountID)),
                              rotation: nil)
        case .agent(let agentID):
            if let skip = Availability.skip(agentID, policy: policy, state: state) {
                return Resolution(step: ActionStep(via: via, action: action, target: nil, skipped: [skip],
                                                   note: .agentUnavailable(agentID: agentID)), rotation: nil)
            }
            let agent = policy.agent(agentID)!
            return Resolution(step: ActionStep(via: via, action: action, target: .agent(agentID: agentID, accountID: agent.accountID),
                                               skipped: [], note: .namedAgent(agentID: agentID)), rotation: nil)
        case .pool(let poolID):
            guard let roster = policy.roster(poolID) else {
                return Resolution(step: ActionStep(via: via, action: action, target: nil, skipped: [], note: .noSuchPool(poolID: poolID)),
                                  rotation: nil)
            }
            let selection = PoolSelector.select(from: roster, lead: lead, state: &state, advancing: advancing)
            return Resolution(step: ActionStep(via: via, action: action, target: selection.target, skipped: selection.skipped,
                                               eligible: selection.eligible, sticky: selection.sticky, note: selection.note),
                              rotation: selection.rotation)
        }
    }

}

/// Whether an agent may take a lead now.
enum Availability {
    /// A rule's named agent: the same rules as for a pool member.
    static func skip(_ agentID: String, policy: Policy, state: RoutingState) -> AgentSkip? {
        let agent = policy.agent(agentID)
        return skip(PoolMember(Pool.Member(agentID: agentID), agent: agent, account: agent.flatMap { policy.account($0.accountID) }), state: state)
    }

    /// A pool member, whose agent the policy index has already looked up.
    static func skip(_ member: PoolMember, state: RoutingState) -> AgentSkip? {
        alwaysSkip(member) ?? changingSkip(member, state: state)
    }

    /// Why the member can take no lead under this policy at all (unknown or inactive), if so.
    static func alwaysSkip(_ member: PoolMember) -> AgentSkip? {
        guard member.known else {
            return AgentSkip(agentID: member.agentID, reason: .unknownAgent, because: .noSuchAgent)
        }
        guard member.active else {
            return AgentSkip(agentID: member.agentID, reason: .inactive,
                             because: member.accountInactive ? .accountInactive : .agentInactive)
        }
        return nil
    }

    /// Why a member that is known and active can take no lead at the decision's time (away, off
    /// hours) or no more today (at its cap), if so.
    static func changingSkip(_ member: PoolMember, state: RoutingState) -> AgentSkip? {
        if let awayUntil = member.awayUntil, state.now < awayUntil {
            return AgentSkip(agentID: member.agentID, reason: .away, because: .away(until: awayUntil))
        }
        if let schedule = member.schedule, !schedule.contains(state.now) {
            return AgentSkip(agentID: member.agentID, reason: .offHours, because: .offHours(schedule, at: state.now))
        }
        guard let cap = member.dailyCap else { return nil }
        let today = state.leadsToday[member.agentID, default: 0]
        guard today >= cap else { return nil }
        return AgentSkip(agentID: member.agentID, reason: .atCap, because: .atCap(today: today, cap: cap))
    }
}
