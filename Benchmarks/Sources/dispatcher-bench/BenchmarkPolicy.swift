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
        /// Each wants `zip` in two codes of its own (a geographic round robin): filed by field value,
        /// the index passes over them all at once.
        case zip
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
        case .zip: Rule.Match(fields: [FieldCondition(field: "zip", op: .in, value: .array([.string(String(10_000 + 2 * index)),
                                                                                             .string(String(10_001 + 2 * index))]))])
        }
    }

    /// The campaign of every benchmark lead.
    static let campaignID = "spring-open-house"

    static func agentID(_ index: Int) -> String {
        "agent-" + String(index + 1000).dropFirst()
    }

    /// A lead no rule but the last matches, with the 13 fields vendors send (its zip is in no zip rule).
    static func lead(_ index: Int) -> Lead {
        let email = "lead\(index)@example.com"
        let fields: [String: JSONValue] = [
            "fname": .string("Pat"), "lname": .string("Lee \(index)"), "email": .string(email), "phone": .string("555-0199"),
            "tags": .string("buyer"), "campaign_id": .string(campaignID), "buyer_status": .string("Ready"), "rating": .string("4"),
            "notes": .string("Pre-approved"), "request_subject": .string("Showing request"),
            "request_details": .string("Wants to see 12 Elm St on Saturday"), "site_url": .string("https://homes.example/12-elm"),
            "zip": .string("99999"),
        ]
        return Lead(vendorID: "bench", email: email, campaignID: campaignID, tags: ["buyer"], fields: fields)
    }
}
