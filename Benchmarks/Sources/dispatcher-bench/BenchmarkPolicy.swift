import LeadPolicy

/// The policies the benchmarks run: `rules` rules of which only the last matches an ordinary lead
/// (the engine checks every one, the worst case), sending it to one pool of `agents` agents.
enum BenchmarkPolicy {
    static let accountID = "acme"
    static let poolID = "everyone"

    static func make(rules ruleCount: Int, agents agentCount: Int) -> Policy {
        let agents = (0..<agentCount).map { index in
            Agent(id: agentID(index), accountID: accountID, name: "Agent \(index)", weight: 1 + index % 3)
        }
        var rules = (0..<max(0, ruleCount - 1)).map { index in
            Rule(id: "campaign-\(index)", name: "Campaign \(index)", priority: index + 1,
                 match: Rule.Match(campaignIDs: ["campaign-\(index)"]), action: .agent(agentID: agentID(index % agentCount)))
        }
        rules.append(Rule(id: "everyone", name: "Everyone else", priority: ruleCount + 1, action: .pool(poolID: poolID),
                          fallback: .crmRoundRobin(accountID: accountID)))
        return Policy(accounts: [Account(id: accountID, name: "Acme Realty")], agents: agents,
                      pools: [Pool(id: poolID, name: "Everyone", members: agents.map { Pool.Member(agentID: $0.id) })],
                      rules: rules)
    }

    static func agentID(_ index: Int) -> String {
        "agent-" + String(index + 1000).dropFirst()
    }

    /// A lead no campaign rule matches.
    static func lead(_ index: Int) -> Lead {
        Lead(vendorID: "bench", email: "lead\(index)@example.com", campaignID: "spring-open-house", tags: ["buyer"])
    }
}
