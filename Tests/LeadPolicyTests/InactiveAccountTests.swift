import Foundation
import LeadPolicy
import Testing

/// A deactivated account takes no new leads: its CRM Round Robin finds nobody and its agents are
/// skipped, each said in the explanation, and a rule's fallback applies.
@Suite struct InactiveAccountTests {
    static let policy = Policy(
        accounts: [Account(id: "acme", name: "Acme", active: false), Account(id: "beta", name: "Beta")],
        agents: [Agent(id: "ann", accountID: "acme", name: "Ann"), Agent(id: "bob", accountID: "beta", name: "Bob")],
        pools: [Pool(id: "p", name: "P", members: [Pool.Member(agentID: "ann"), Pool.Member(agentID: "bob")])],
        rules: [Rule(id: "vip", name: "VIP", priority: 1, match: Rule.Match(tagsAny: ["vip"]), action: .crmRoundRobin(accountID: "acme"),
                     fallback: .agent(agentID: "ann")),
                Rule(id: "direct", name: "Direct", priority: 2, match: Rule.Match(tagsAny: ["ann"]), action: .agent(agentID: "ann"),
                     fallback: .crmRoundRobin(accountID: "beta")),
                Rule(id: "all", name: "All", priority: 3, action: .pool(poolID: "p"))])

    func decide(_ tags: [String]) -> Decision {
        RoutingEngine.decide(Lead(tags: tags), policy: Self.policy, state: RoutingState()).decision
    }

    @Test func itsCRMRoundRobinFindsNobodyAndItsAgentsAreSkipped() {
        let vip = decide(["vip"])
        #expect(vip.target == nil)
        #expect(vip.explanation.steps.first?.note == "account 'acme' is inactive: its CRM Round Robin takes no leads")
        #expect(vip.explanation.steps.last?.skipped.first?.detail == "the agent's account is inactive")

        let direct = decide(["ann"])
        #expect(direct.target == .admin(accountID: "beta") && direct.via == "fallback")

        for _ in 0..<3 {
            let pooled = decide([])
            #expect(pooled.target?.agentID == "bob")
            #expect(pooled.explanation.steps.first?.skipped.map(\.reason) == [.inactive])
        }
    }

    @Test func warningsNameTheInactiveAccount() {
        let warnings = PolicyWarnings.unreachableRules(in: Self.policy)
        #expect(warnings.contains { $0.contains("'vip'") && $0.contains("account 'acme' is inactive") })
        #expect(!warnings.contains { $0.contains("'all'") })
    }

    @Test func activeDefaultsToTrueAndRoundTrips() throws {
        let decoded = try JSONDecoder().decode(Account.self, from: Data(#"{"id":"c","name":"C"}"#.utf8))
        #expect(decoded.active)
        let inactive = try JSONDecoder().decode(Account.self, from: JSONEncoder().encode(Account(id: "c", name: "C", active: false)))
        #expect(!inactive.active)
    }
}
