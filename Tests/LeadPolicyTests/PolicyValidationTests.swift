import LeadPolicy
import Testing

@Suite struct PolicyValidationTests {
    let context = ValidationContext(vendorIDs: ["zillow"])

    var policy: Policy {
        Policy(
            accounts: [Account(id: "acme", name: "Acme")],
            agents: [Agent(id: "jane", accountID: "acme", name: "Jane"), Agent(id: "bob", accountID: "acme", name: "Bob", weight: 3)],
            pools: [Pool(id: "buyers", name: "Buyers", members: [.init(agentID: "jane"), .init(agentID: "bob")])],
            rules: [Rule(id: "z", name: "Zillow", priority: 10, match: .init(vendorIDs: ["zillow"]), action: .pool(poolID: "buyers"),
                         fallback: .crmRoundRobin(accountID: "acme"))])
    }

    func failure(_ policy: Policy) -> PolicyError? {
        do {
            try policy.validate(context: context)
            return nil
        } catch {
            return error
        }
    }

    @Test func acceptsAConsistentPolicy() throws {
        try policy.validate(context: context)
    }

    @Test func refusesUnknownReferencesWithTheirPath() {
        var policy = self.policy
        policy.agents[1].accountID = "nope"
        #expect(failure(policy) == PolicyError(.unknownReference, field: "agents[1].account_id", "no account 'nope'"))

        policy = self.policy
        policy.pools[0].members.append(.init(agentID: "ghost"))
        #expect(failure(policy)?.field == "pools[0].members[2].agent_id")

        policy = self.policy
        policy.rules[0].fallback = .agent(agentID: "ghost")
        #expect(failure(policy)?.field == "rules[0].fallback.agent_id")

        policy = self.policy
        policy.rules[0].match.vendorIDs = ["zillow", "realtor"]
        #expect(failure(policy)?.field == "rules[0].match.vendor_ids[1]")
    }

    @Test func refusesDuplicateIDs() {
        var policy = self.policy
        policy.agents.append(Agent(id: "jane", accountID: "acme", name: "Other Jane"))
        #expect(failure(policy)?.kind == .duplicate)
        #expect(failure(policy)?.field == "agents[2].id")
    }

    @Test func refusesOutOfRangeValues() {
        var policy = self.policy
        policy.agents[0].weight = 0
        #expect(failure(policy)?.field == "agents[0].weight")
        policy = self.policy
        policy.agents[0].dailyCap = -1
        #expect(failure(policy)?.field == "agents[0].daily_cap")
        policy = self.policy
        policy.agents[0].email = "not an email"
        #expect(failure(policy)?.field == "agents[0].email")
        policy = self.policy
        policy.pools[0].stickyDays = -2
        #expect(failure(policy)?.field == "pools[0].sticky_days")
        policy = self.policy
        policy.pools[0].members.append(.init(agentID: "jane"))
        #expect(failure(policy)?.field == "pools[0].members[2].agent_id")
    }

    @Test func findsEveryReferrer() {
        #expect(policy.referrers(of: Account.self, id: "acme") == ["agent 'jane'", "agent 'bob'", "rule 'z'"])
        #expect(policy.referrers(of: Agent.self, id: "bob") == ["pool 'buyers'"])
        #expect(policy.referrers(of: Pool.self, id: "buyers") == ["rule 'z'"])
        #expect(policy.referrers(of: Rule.self, id: "z").isEmpty)
        #expect(policy.rulesNaming(vendorID: "zillow") == ["rule 'z'"])
    }

    @Test func ordersRulesByPriorityThenID() {
        var policy = self.policy
        policy.rules = [
            Rule(id: "b", name: "B", priority: 5, action: .agent(agentID: "jane")),
            Rule(id: "a", name: "A", priority: 5, action: .agent(agentID: "jane")),
            Rule(id: "c", name: "C", priority: 1, action: .agent(agentID: "jane")),
        ]
        #expect(policy.rulesInPriorityOrder.map(\.id) == ["c", "a", "b"])
    }

    @Test func poolMemberWeightFallsBackToTheAgents() {
        let pool = Pool(id: "p", name: "P", members: [.init(agentID: "bob"), .init(agentID: "jane", weight: 7)])
        #expect(pool.weight(of: pool.members[0], in: policy) == 3)
        #expect(pool.weight(of: pool.members[1], in: policy) == 7)
    }
}
