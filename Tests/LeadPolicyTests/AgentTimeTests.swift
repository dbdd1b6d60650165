import Foundation
import LeadPolicy
import Testing

/// An agent's `away_until` and `schedule`: skipped with reason `away` or `off_hours` while they hold,
/// back in the rotation afterwards with no burst of catch-up leads, like a pause.
@Suite struct AgentTimeTests {
    static let start = Date(timeIntervalSince1970: 1_796_656_800)  // Mon 2026-12-07 09:20 in Chicago (15:20 UTC)

    @Test func anAgentAwayIsSkippedUntilThenAndComesBackWithNoBurst() {
        var agents = RoutingEngineTests.agents([("a", 1), ("b", 1)])
        agents[1].awayUntil = Self.start.addingTimeInterval(3600)
        let policy = RoutingEngineTests.policy(agents: agents, pool: [.init(agentID: "a"), .init(agentID: "b")])
        var rotation = RoutingEngineTests.Rotation()
        rotation.state.now = Self.start
        let away = rotation.route(Lead(), policy: policy)
        #expect(away.target?.agentID == "a")
        #expect(away.explanation.steps.first?.skipped == [AgentSkip(agentID: "b", reason: .away, detail: "away until 2026-12-07T16:20:00.000Z")])
        _ = rotation.route(9, policy: policy)
        #expect(rotation.assignments == Array(repeating: "a", count: 10))
        // Back: the two take turns, as after a pause.
        rotation.state.now = Self.start.addingTimeInterval(3600)
        rotation.assignments = []
        let after = rotation.route(6, policy: policy)
        #expect(after.filter { $0 == "b" }.count == 3)
        #expect(!after.joined().contains("bb"))
    }

    @Test func anAgentOffHoursIsSkippedWithTheLocalTime() {
        var agents = RoutingEngineTests.agents([("a", 1), ("b", 1)])
        agents[0].schedule = Schedule(timeZone: "America/Chicago", days: [.mon, .tue, .wed, .thu, .fri], from: 9 * 60 + 30, until: 17 * 60)
        let policy = RoutingEngineTests.policy(agents: agents, pool: [.init(agentID: "a"), .init(agentID: "b")],
                                               fallback: .crmRoundRobin(accountID: "acme"))
        let early = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState(now: Self.start)).decision
        #expect(early.target?.agentID == "b")
        #expect(early.explanation.steps.first?.skipped == [AgentSkip(agentID: "a", reason: .offHours, detail: "off hours: Mon 09:20 America/Chicago")])
        let open = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState(now: Self.start.addingTimeInterval(600))).decision
        #expect(open.explanation.steps.first?.skipped == [])
        #expect(open.explanation.steps.first?.eligible?.count == 2)
    }

    @Test func aDirectRuleToAnAgentAwayFallsBack() {
        var agents = RoutingEngineTests.agents([("a", 1)])
        agents[0].awayUntil = Self.start.addingTimeInterval(60)
        let policy = Policy(accounts: [RoutingEngineTests.acme], agents: agents,
                            rules: [Rule(id: "a", name: "A", priority: 1, action: .agent(agentID: "a"), fallback: .crmRoundRobin(accountID: "acme"))])
        let decision = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState(now: Self.start)).decision
        #expect(decision.target == .admin(accountID: "acme"))
        #expect(decision.via == "fallback")
        #expect(decision.explanation.steps.first?.note == "agent 'a' is not available")
        #expect(decision.explanation.steps.first?.skipped.first?.reason == .away)
        let later = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState(now: Self.start.addingTimeInterval(60))).decision
        #expect(later.target?.agentID == "a")
    }

    @Test func anAgentsTimeReadsBackAsWritten() throws {
        let json = #"{"account_id":"acme","active":true,"away_until":"2026-12-24T09:00:00.000Z","id":"jane","name":"Jane","schedule":{"days":["mon"],"from":"09:00","time_zone":"America/Chicago","until":"17:00"},"weight":1}"#
        let agent = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)).decode(Agent.self)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(agent), as: UTF8.self) == json)
        #expect(throws: PolicyError.self) {
            _ = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"id":"j","account_id":"acme","name":"J","away_until":"soon"}"#.utf8)).decode(Agent.self)
        }
    }
}
