import Foundation
import LeadPolicy
import Testing

/// The lookups the engine makes follow every change to the policy, and large pools still rotate
/// and explain themselves exactly.
@Suite struct PolicyIndexTests {
    @Test func lookupsFollowEveryChangeToThePolicy() {
        var policy = RoutingEngineTests.policy(agents: RoutingEngineTests.agents([("a", 1)]), pool: [.init(agentID: "a")])
        #expect(policy.agent("b") == nil)
        policy.agents.append(Agent(id: "b", accountID: "acme", name: "B", weight: 2))
        #expect(policy.agent("b")?.weight == 2)
        policy.agents[0].active = false
        #expect(policy.agent("a")?.active == false)
        policy.rules.append(Rule(id: "first", name: "First", priority: 0, action: .agent(agentID: "b")))
        #expect(policy.rulesInPriorityOrder.map(\.id) == ["first", "all"])
        policy.pools.removeAll()
        #expect(policy.pool("p") == nil)
        // Equality and the JSON form are the entities only.
        let decoded = try? JSONDecoder().decode(Policy.self, from: JSONEncoder().encode(policy))
        #expect(decoded == policy)
    }

    @Test func aLargePoolRotatesEvenlyAndListsEveryEligibleAgent() {
        let agents = (0..<25).map { Agent(id: "agent-\($0)", accountID: "acme", name: "Agent \($0)") }
        let policy = RoutingEngineTests.policy(agents: agents, pool: agents.map { Pool.Member(agentID: $0.id) })
        var rotation = RoutingEngineTests.Rotation()
        var last: Decision?
        for _ in 0..<50 { last = rotation.route(Lead(), policy: policy) }
        let counts = Dictionary(rotation.assignments.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts.count == 25 && counts.values.allSatisfy { $0 == 2 })
        let step = last?.explanation.steps.first
        #expect(step?.eligible?.count == 25)
        #expect(step?.note.contains("among the 25 eligible members of pool 'p'") == true, "\(step?.note ?? "")")
    }

    @Test func anAgentThatLeftThePoolIsForgottenByTheRotation() {
        let agents = RoutingEngineTests.agents([("a", 1), ("b", 1), ("c", 1)])
        let full = RoutingEngineTests.policy(agents: agents, pool: [.init(agentID: "a"), .init(agentID: "b"), .init(agentID: "c")])
        var rotation = RoutingEngineTests.Rotation()
        _ = rotation.route(Lead(), policy: full)
        let smaller = RoutingEngineTests.policy(agents: agents, pool: [.init(agentID: "a"), .init(agentID: "b")])
        let outcome = RoutingEngine.decide(Lead(), policy: smaller, state: rotation.state)
        #expect(Set(outcome.rotations["p"]?.current.keys.map { $0 } ?? []) == ["a", "b"])
    }
}
