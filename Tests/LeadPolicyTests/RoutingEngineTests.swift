import Foundation
import LeadPolicy
import Testing

/// The policy engine, unit by unit. `Rotation` replays decisions the way the store does: each
/// decision's rotation and daily count feed the next.
@Suite struct RoutingEngineTests {
    static let acme = Account(id: "acme", name: "Acme")

    static func agents(_ specs: [(String, Int)]) -> [Agent] {
        specs.map { Agent(id: $0.0, accountID: "acme", name: $0.0.capitalized, weight: $0.1) }
    }

    static func policy(agents: [Agent], pool members: [Pool.Member], stickyDays: Int = 0, fallback: RuleAction? = nil) -> Policy {
        Policy(accounts: [acme], agents: agents,
               pools: [Pool(id: "p", name: "P", members: members, stickyDays: stickyDays)],
               rules: [Rule(id: "all", name: "All", priority: 1, action: .pool(poolID: "p"), fallback: fallback)])
    }

    /// Routes `count` leads in sequence, carrying the state forward, and returns the agents chosen.
    struct Rotation {
        var state = RoutingState(now: Date(timeIntervalSince1970: 1_800_000_000))
        var assignments: [String] = []

        mutating func route(_ lead: Lead, policy: Policy) -> Decision {
            let outcome = RoutingEngine.decide(lead, policy: policy, state: state)
            for (poolID, rotation) in outcome.rotations { state.rotations[poolID] = rotation }
            if let agentID = outcome.decision.target?.agentID {
                state.leadsToday[agentID, default: 0] += 1
                assignments.append(agentID)
                if lead.email != nil { state.previousAssignments.insert(PreviousAssignment(agentID: agentID, at: state.now), at: 0) }
            } else {
                assignments.append("-")
            }
            return outcome.decision
        }

        mutating func route(_ count: Int, policy: Policy) -> [String] {
            for _ in 0..<count { _ = route(Lead(), policy: policy) }
            return assignments
        }
    }

    // MARK: Matching

    func decide(_ lead: Lead, rules: [Rule]) -> Decision {
        let policy = Policy(accounts: [Self.acme], agents: Self.agents([("a", 1), ("b", 1)]), rules: rules)
        return RoutingEngine.decide(lead, policy: policy, state: RoutingState()).decision
    }

    @Test func campaignIDsMatchExactlyAfterTrimming() {
        let rule = Rule(id: "c", name: "C", priority: 1, match: .init(campaignIDs: ["spring-2026"]), action: .agent(agentID: "a"))
        #expect(decide(Lead(campaignID: "  spring-2026 "), rules: [rule]).ruleID == "c")
        #expect(decide(Lead(campaignID: "Spring-2026"), rules: [rule]).ruleID == nil)
        #expect(decide(Lead(), rules: [rule]).explanation.rules.first?.reason.contains("no campaign_id") == true)
    }

    /// Every way a rule can fail to match, in the words an auditor reads, the same whether read from
    /// the decision or from its stored JSON.
    @Test func eachRuleThatDoesNotMatchSaysWhyInWords() throws {
        let rules = [
            Rule(id: "off", name: "Off", priority: 1, enabled: false, action: .agent(agentID: "a")),
            Rule(id: "campaign", name: "Campaign", priority: 2, match: .init(campaignIDs: ["fall", "winter"]), action: .agent(agentID: "a")),
            Rule(id: "any", name: "Any", priority: 3, match: .init(tagsAny: ["Luxury", "vip"]), action: .agent(agentID: "a")),
            Rule(id: "all", name: "All", priority: 4, match: .init(tagsAll: ["Buyer", "pre-approved", "cash"]), action: .agent(agentID: "a")),
            Rule(id: "vendor", name: "Vendor", priority: 5, match: .init(vendorIDs: ["zillow"]), action: .agent(agentID: "a")),
            Rule(id: "rest", name: "Rest", priority: 6, action: .agent(agentID: "b")),
        ]
        let withCampaign = decide(Lead(vendorID: "realtor", campaignID: "spring", tags: ["buyer", "Cash"]), rules: rules)
        #expect(withCampaign.explanation.rules.map(\.reason) == [
            "the rule is disabled",
            "campaign_id 'spring' is not one of ['fall', 'winter']",
            "none of the tags ['Luxury', 'vip'] is among the lead's ['buyer', 'Cash']",
            "the lead lacks the tags ['pre-approved'] of ['Buyer', 'pre-approved', 'cash']",
            "vendor 'realtor' is not one of ['zillow']",
            "empty match: the rule takes every lead",
        ])
        #expect(withCampaign.explanation.rules.map(\.result) == [.disabled, .notMatched, .notMatched, .notMatched, .notMatched, .matched])
        let decoded = try JSONDecoder().decode(Decision.self, from: JSONEncoder().encode(withCampaign))
        #expect(decoded == withCampaign)
        #expect(decoded.explanation.rules.map(\.reason) == withCampaign.explanation.rules.map(\.reason))
        let bare = decide(Lead(), rules: rules)
        #expect(bare.explanation.rules[1].reason == "the lead has no campaign_id; the rule wants one of ['fall', 'winter']")
        #expect(bare.explanation.rules[4].reason == "vendor 'none' is not one of ['zillow']")
    }

    @Test func tagsAnyAndTagsAllAreTrimmedAndCaseInsensitive() {
        let any = Rule(id: "any", name: "Any", priority: 1, match: .init(tagsAny: ["Buyer", "luxury"]), action: .agent(agentID: "a"))
        let all = Rule(id: "all", name: "All", priority: 1, match: .init(tagsAll: ["buyer", "Pre-Approved"]), action: .agent(agentID: "a"))
        #expect(decide(Lead(tags: [" BUYER "]), rules: [any]).ruleID == "any")
        #expect(decide(Lead(tags: ["seller"]), rules: [any]).ruleID == nil)
        #expect(decide(Lead(tags: ["pre-approved", "Buyer"]), rules: [all]).ruleID == "all")
        let partial = decide(Lead(tags: ["buyer"]), rules: [all])
        #expect(partial.ruleID == nil)
        #expect(partial.explanation.rules.first?.reason.contains("'Pre-Approved'") == true)
    }

    @Test func vendorIDsMatchTheSender() {
        let rule = Rule(id: "z", name: "Z", priority: 1, match: .init(vendorIDs: ["zillow"]), action: .agent(agentID: "a"))
        #expect(decide(Lead(vendorID: "zillow"), rules: [rule]).ruleID == "z")
        #expect(decide(Lead(vendorID: "realtor"), rules: [rule]).ruleID == nil)
    }

    @Test func everyCriterionMustHold() {
        let rule = Rule(id: "r", name: "R", priority: 1, match: .init(campaignIDs: ["c"], tagsAny: ["t"], vendorIDs: ["v"]), action: .agent(agentID: "a"))
        #expect(decide(Lead(vendorID: "v", campaignID: "c", tags: ["t"]), rules: [rule]).ruleID == "r")
        #expect(decide(Lead(vendorID: "v", campaignID: "c", tags: ["x"]), rules: [rule]).ruleID == nil)
    }

    @Test func anEmptyMatchIsACatchAll() {
        let rule = Rule(id: "all", name: "All", priority: 1, action: .agent(agentID: "a"))
        let decision = decide(Lead(), rules: [rule])
        #expect(decision.target == .agent(agentID: "a", accountID: "acme"))
        #expect(decision.explanation.rules == [RuleCheck(ruleID: "all", priority: 1, result: .matched, reason: "empty match: the rule takes every lead")])
    }

    @Test func rulesAreTriedInAscendingPriorityAndTheFirstMatchDecides() {
        let rules = [
            Rule(id: "late", name: "Late", priority: 50, action: .agent(agentID: "b")),
            Rule(id: "early", name: "Early", priority: 5, match: .init(tagsAny: ["buyer"]), action: .agent(agentID: "a")),
            Rule(id: "off", name: "Off", priority: 1, enabled: false, action: .agent(agentID: "b")),
        ]
        let buyer = decide(Lead(tags: ["buyer"]), rules: rules)
        #expect(buyer.ruleID == "early")
        #expect(buyer.explanation.rules.map(\.ruleID) == ["off", "early"])
        #expect(buyer.explanation.rules.map(\.result) == [.disabled, .matched])
        let other = decide(Lead(tags: ["seller"]), rules: rules)
        #expect(other.ruleID == "late")
        #expect(other.explanation.rules.map(\.result) == [.disabled, .notMatched, .matched])
    }

    @Test func nothingMatchedLeavesTheLeadUnrouted() {
        let decision = decide(Lead(campaignID: "x"), rules: [Rule(id: "c", name: "C", priority: 1, match: .init(campaignIDs: ["y"]), action: .agent(agentID: "a"))])
        #expect(decision.target == nil && decision.ruleID == nil)
        #expect(decision.explanation.summary.contains("no rule matched"))
        #expect(decide(Lead(), rules: []).explanation.summary.contains("no rules"))
    }

    @Test func crmRoundRobinDeliversWithTheAdminKey() {
        let decision = decide(Lead(), rules: [Rule(id: "crm", name: "CRM", priority: 1, action: .crmRoundRobin(accountID: "acme"))])
        #expect(decision.target == .admin(accountID: "acme"))
        #expect(decision.via == "action")
    }

    // MARK: Round robin

    @Test func equalWeightsRotateInMemberOrderLikeBuyingBuddy() {
        let policy = Self.policy(agents: Self.agents([("a", 1), ("b", 1), ("c", 1)]), pool: [.init(agentID: "a"), .init(agentID: "b"), .init(agentID: "c")])
        var rotation = Rotation()
        #expect(rotation.route(9, policy: policy) == ["a", "b", "c", "a", "b", "c", "a", "b", "c"])
    }

    @Test func weightsThreeToOneGiveExactlyThirtyAndTenOfForty() {
        let policy = Self.policy(agents: Self.agents([("a", 3), ("b", 1)]), pool: [.init(agentID: "a"), .init(agentID: "b")])
        var rotation = Rotation()
        let assignments = rotation.route(40, policy: policy)
        #expect(assignments.filter { $0 == "a" }.count == 30)
        #expect(assignments.filter { $0 == "b" }.count == 10)
        // Smooth: b never waits more than three leads.
        #expect(!assignments.joined().contains("aaaa"))
    }

    @Test func aMembersPoolWeightOverridesTheAgents() {
        let policy = Self.policy(agents: Self.agents([("a", 1), ("b", 1)]), pool: [.init(agentID: "a", weight: 1), .init(agentID: "b", weight: 4)])
        var rotation = Rotation()
        let assignments = rotation.route(10, policy: policy)
        #expect(assignments.filter { $0 == "b" }.count == 8)
    }

    @Test func inactiveAndCappedAgentsAreSkippedWithTheReason() {
        var agents = Self.agents([("a", 1), ("b", 1), ("c", 1)])
        agents[0].active = false
        agents[1].dailyCap = 2
        let policy = Self.policy(agents: agents, pool: [.init(agentID: "a"), .init(agentID: "b"), .init(agentID: "c")])
        var rotation = Rotation()
        #expect(rotation.route(6, policy: policy) == ["b", "c", "b", "c", "c", "c"])
        let decision = rotation.route(Lead(), policy: policy)
        let skips = decision.explanation.steps.first?.skipped ?? []
        #expect(skips.map(\.agentID) == ["a", "b"])
        #expect(skips.map(\.reason) == [.inactive, .atCap])
        #expect(skips[1].detail == "2 of 2 leads today")
    }

    @Test func anAgentBackFromAPauseGetsNoBurst() {
        var agents = Self.agents([("a", 1), ("b", 1)])
        let members: [Pool.Member] = [.init(agentID: "a"), .init(agentID: "b")]
        var rotation = Rotation()
        _ = rotation.route(4, policy: Self.policy(agents: agents, pool: members))
        agents[1].active = false
        _ = rotation.route(10, policy: Self.policy(agents: agents, pool: members))
        agents[1].active = true
        rotation.assignments = []
        let after = rotation.route(6, policy: Self.policy(agents: agents, pool: members))
        #expect(after.filter { $0 == "b" }.count == 3)
        #expect(!after.joined().contains("bb"))
    }

    @Test func stickyPoolsSendARepeatEmailToTheSameAgent() {
        let policy = Self.policy(agents: Self.agents([("a", 1), ("b", 1)]), pool: [.init(agentID: "a"), .init(agentID: "b")], stickyDays: 30)
        var rotation = Rotation()
        _ = rotation.route(Lead(email: "pat@example.com"), policy: policy)       // a
        _ = rotation.route(Lead(email: "kim@example.com"), policy: policy)       // b
        let repeatLead = rotation.route(Lead(email: "PAT@example.com"), policy: policy)
        #expect(repeatLead.target?.agentID == "a")
        #expect(repeatLead.explanation.steps.first?.note.hasPrefix("sticky") == true)
        // The sticky lead did not advance the rotation: the next new lead goes to a.
        #expect(rotation.route(Lead(email: "new@example.com"), policy: policy).target?.agentID == "a")
    }

    @Test func stickinessEndsAfterItsDaysOrWhenTheAgentIsUnavailable() {
        var agents = Self.agents([("a", 1), ("b", 1)])
        let members: [Pool.Member] = [.init(agentID: "a"), .init(agentID: "b")]
        var rotation = Rotation()
        rotation.state.previousAssignments = [PreviousAssignment(agentID: "b", at: rotation.state.now.addingTimeInterval(-8 * 86_400))]
        #expect(rotation.route(Lead(email: "pat@example.com"), policy: Self.policy(agents: agents, pool: members, stickyDays: 7)).target?.agentID == "a")

        rotation = Rotation()
        rotation.state.previousAssignments = [PreviousAssignment(agentID: "a", at: rotation.state.now)]
        agents[0].active = false
        let decision = rotation.route(Lead(email: "pat@example.com"), policy: Self.policy(agents: agents, pool: members, stickyDays: 7))
        #expect(decision.target?.agentID == "b")
        #expect(decision.explanation.steps.first?.note.contains("sticky agent 'a' is not available") == true)
    }

    // MARK: Fallback

    @Test func theFallbackAppliesWhenTheActionFindsNobody() {
        var agents = Self.agents([("a", 1)])
        agents[0].active = false
        let policy = Self.policy(agents: agents, pool: [.init(agentID: "a")], fallback: .crmRoundRobin(accountID: "acme"))
        let decision = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState()).decision
        #expect(decision.target == .admin(accountID: "acme"))
        #expect(decision.via == "fallback")
        #expect(decision.explanation.steps.map(\.via) == ["action", "fallback"])
        #expect(decision.explanation.steps[0].target == nil)
        #expect(decision.explanation.summary.contains("fallback"))
    }

    @Test func aDirectAgentRuleFallsBackWhenTheAgentIsPausedOrCapped() {
        var agents = Self.agents([("a", 1), ("b", 1)])
        agents[0].dailyCap = 1
        let policy = Policy(accounts: [Self.acme], agents: agents,
                            rules: [Rule(id: "r", name: "R", priority: 1, action: .agent(agentID: "a"), fallback: .agent(agentID: "b"))])
        var state = RoutingState()
        #expect(RoutingEngine.decide(Lead(), policy: policy, state: state).decision.target?.agentID == "a")
        state.leadsToday["a"] = 1
        let capped = RoutingEngine.decide(Lead(), policy: policy, state: state).decision
        #expect(capped.target?.agentID == "b")
        #expect(capped.explanation.steps[0].skipped.first?.reason == .atCap)
    }

    /// The state stored with a decision holds what the decision read: the pool's rotation, the counts
    /// of the capped agents it considered (an uncapped agent's count is never read), and it decides the
    /// same lead the same way again.
    @Test func theStoredStateHoldsTheCountsOfCappedAgentsOnlyAndDecidesAlike() {
        var agents = Self.agents([("a", 1), ("b", 1), ("c", 1), ("outside", 1)])
        agents[1].dailyCap = 3
        agents[2].dailyCap = 2
        let policy = Self.policy(agents: agents, pool: [.init(agentID: "a"), .init(agentID: "b"), .init(agentID: "c")])
        var rotation = Rotation()
        _ = rotation.route(4, policy: policy)
        rotation.state.leadsToday["c"] = 2
        rotation.state.leadsToday["outside"] = 7
        let outcome = RoutingEngine.decide(Lead(), policy: policy, state: rotation.state)
        let stored = rotation.state.restricted(to: outcome.decision, policy: policy)
        #expect(Set(stored.leadsToday.keys) == ["b", "c"])
        #expect(stored.leadsToday["c"] == 2)
        #expect(stored.rotations.keys.sorted() == ["p"])
        #expect(outcome.decision.explanation.steps.first?.skipped.map(\.agentID) == ["c"])
        #expect(RoutingEngine.decide(Lead(), policy: policy, state: stored) == outcome)
    }

    @Test func nobodyInActionOrFallbackLeavesTheMatchedLeadUnrouted() {
        var agents = Self.agents([("a", 1)])
        agents[0].active = false
        let policy = Self.policy(agents: agents, pool: [.init(agentID: "a")], fallback: .agent(agentID: "a"))
        let decision = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState()).decision
        #expect(decision.target == nil)
        #expect(decision.ruleID == "all")
        #expect(decision.explanation.summary.contains("neither its action nor its fallback"))
    }

    @Test func theExplanationRoundTripsAsJSON() throws {
        let policy = Self.policy(agents: Self.agents([("a", 2), ("b", 1)]), pool: [.init(agentID: "a"), .init(agentID: "b")])
        let decision = RoutingEngine.decide(Lead(tags: ["x"]), policy: policy, state: RoutingState()).decision
        let json = try JSONValue(encoding: decision)
        #expect(try json.decode(Decision.self) == decision)
        #expect(decision.explanation.summary == "rule 'all' matched; its action chose agent 'a': smooth weighted round robin among the 2 eligible members of pool 'p' chose agent 'a'")
        // The weights are named once, in `eligible`, not repeated in the note and the summary.
        #expect(decision.explanation.steps.first?.eligible == [EligibleAgent(agentID: "a", weight: 2), EligibleAgent(agentID: "b", weight: 1)])
    }

    @Test func theEngineIsDeterministic() {
        let policy = Self.policy(agents: Self.agents([("a", 3), ("b", 2), ("c", 1)]), pool: [.init(agentID: "a"), .init(agentID: "b"), .init(agentID: "c")])
        var first = Rotation()
        var second = Rotation()
        #expect(first.route(30, policy: policy) == second.route(30, policy: policy))
    }
}
