import LeadPolicy

/// The policies the benchmarks run: `rules` rules of which only the last matches an ordinary lead,
/// sending it to one pool of `agents` agents.
enum BenchmarkPolicy {
    /// What the rules that do not match look at.
    enum RuleShape: String, CaseIterable {
        /// Each lists a campaign of its own: the policy index passes over them all at once.
        case campaign
        /// Each wants a tag of its own: the index passes over them too (it files rules by tag).
        case tag
        /// Each lists the lead's campaign and a vendor of its own: filed under what the lead has, every
        /// one is tried, the worst case.
        case vendor
    }

    static let accountID = "acme"
    static let poolID = "everyone"

    static func make(rules ruleCount: Int, agents agentCount: Int, shape: RuleShape = .campaign) -> Policy {
        let agents = (0..<agentCount).map { index in
            Agent(id: agentID(index), accountID: accountID, name: "Agent \(index)", weight: 1 + index % 3)
        }
        var rules = (0..<max(0, ruleCount - 1)).map { index in
            Rule(id: "\(shape.rawValue)-\(index)", name: "Rule \(index)", priority: index + 1,
                 match: match(shape, index),
                 action: .agent(agentID: agentID(index % agentCount)))
        }
        rules.append(Rule(id: "everyone", name: "Everyone else", priority: ruleCount + 1, action: .pool(poolID: poolID),
                          fallback: .crmRoundRobin(accountID: accountID)))
        return Policy(accounts: [Account(id: accountID, name: "Acme Realty")], agents: agents,
                      pools: [Pool(id: poolID, name: "Everyone", members: agents.map { Pool.Member(agentID: $0.id) })],
                      rules: rules)
    }

    static func match(_ shape: RuleShape, _ index: Int) -> Rule.Match {
        switch shape {
        case .campaign: Rule.Match(campaignIDs: ["campaign-\(index)"])
        case .tag: Rule.Match(tagsAny: ["tag-\(index)"])
        case .vendor: Rule.Match(campaignIDs: [campaignID], vendorIDs: ["vendor-\(index)"])
        }
    }

    /// The campaign of every benchmark lead.
    static let campaignID = "spring-open-house"

    static func agentID(_ index: Int) -> String {
        "agent-" + String(index + 1000).dropFirst()
    }

    /// A lead no campaign rule matches.
    static func lead(_ index: Int) -> Lead {
        Lead(vendorID: "bench", email: "lead\(index)@example.com", campaignID: campaignID, tags: ["buyer"])
    }
}
