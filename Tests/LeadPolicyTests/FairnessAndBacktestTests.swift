import Foundation
import LeadPolicy
import Testing

@Suite struct FairnessAndBacktestTests {
    static let policy = Policy(
        accounts: [Account(id: "acme", name: "Acme")],
        agents: [Agent(id: "a", accountID: "acme", name: "A", weight: 3), Agent(id: "b", accountID: "acme", name: "B"),
                 Agent(id: "c", accountID: "acme", name: "C", active: false), Agent(id: "d", accountID: "acme", name: "D")],
        pools: [Pool(id: "p", name: "P", members: [.init(agentID: "a"), .init(agentID: "b"), .init(agentID: "c")])],
        rules: [Rule(id: "buyers", name: "Buyers", priority: 1, match: .init(tagsAny: ["buyer"]), action: .pool(poolID: "p")),
                Rule(id: "rest", name: "Rest", priority: 2, action: .crmRoundRobin(accountID: "acme"))])

    /// Decides leads in sequence the way the store does.
    static func decisions(_ leads: [Lead], policy: Policy = policy) -> [Decision] {
        var state = RoutingState()
        return leads.map { lead in
            let outcome = RoutingEngine.decide(lead, policy: policy, state: state)
            for (poolID, rotation) in outcome.rotations { state.rotations[poolID] = rotation }
            return outcome.decision
        }
    }

    @Test func fairnessFiguresOnAKnownSequence() throws {
        var tally = DistributionTally(agents: Self.policy.agents)
        for decision in Self.decisions(Array(repeating: Lead(tags: ["buyer"]), count: 8) + [Lead(tags: ["seller"])]) {
            tally.add(decision)
        }
        let items = Dictionary(uniqueKeysWithValues: tally.result.map { ($0.target, $0) })
        let a = try #require(items[.agent(agentID: "a", accountID: "acme")])
        let b = try #require(items[.agent(agentID: "b", accountID: "acme")])
        let c = try #require(items[.agent(agentID: "c", accountID: "acme")])
        let d = try #require(items[.agent(agentID: "d", accountID: "acme")])
        let admin = try #require(items[.admin(accountID: "acme")])
        #expect(a.received == 6 && a.eligible == 8 && a.entitledShare == 0.75)
        #expect(b.received == 2 && b.eligible == 8 && b.entitledShare == 0.25)
        #expect(c.received == 0 && c.eligible == 0 && c.skips == ["inactive": 8])
        #expect(d.received == 0 && d.skips == ["not_member": 8])
        #expect(admin.received == 1)
        #expect(tally.result.last?.target == .admin(accountID: "acme"))
    }

    @Test func stickyLeadsCountAsStickyElsewhereForTheOthers() {
        var sticky = Self.policy
        sticky.pools[0].stickyDays = 30
        var state = RoutingState()
        var tally = DistributionTally(agents: sticky.agents)
        for _ in 0..<2 {
            let outcome = RoutingEngine.decide(Lead(email: "pat@example.com", tags: ["buyer"]), policy: sticky, state: state)
            for (poolID, rotation) in outcome.rotations { state.rotations[poolID] = rotation }
            if let agentID = outcome.decision.target?.agentID { state.previousAssignments = [PreviousAssignment(agentID: agentID, at: state.now)] }
            tally.add(outcome.decision)
        }
        let b = tally.result.first { $0.target.agentID == "b" }
        #expect(b?.skips["sticky_elsewhere"] == 1)
        #expect(b?.eligible == 1)
    }

    @Test func aBacktestCountsRecordedAndDraftTargetsAndListsChanges() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let leads = (0..<8).map { Lead(tags: [$0 < 6 ? "buyer" : "seller"]) }
        let recorded = Self.decisions(leads)
        let replayed = zip(leads.indices, zip(leads, recorded)).map { index, pair in
            Backtest.Replayed(id: "ld_\(index)", receivedAt: start.addingTimeInterval(Double(index)), lead: pair.0, recorded: pair.1.target)
        }
        // The same policy changes nothing.
        let same = Backtest.run(replayed, draft: Self.policy, timeZone: TimeZone(identifier: "UTC")!)
        #expect(same.leads == 8 && same.changedTotal == 0 && same.changed.isEmpty)
        #expect(same.counts.first { $0.target?.agentID == "a" } == Backtest.Count(target: .agent(agentID: "a", accountID: "acme"), recorded: 5, draft: 5))

        // A draft that sends buyers to the CRM round robin moves all six.
        var draft = Self.policy
        draft.rules[0].action = .crmRoundRobin(accountID: "acme")
        let moved = Backtest.run(replayed, draft: draft, timeZone: TimeZone(identifier: "UTC")!, sampleLimit: 4)
        #expect(moved.changedTotal == 6)
        #expect(moved.changed.count == 4)
        #expect(moved.changed.first == Backtest.Change(leadID: "ld_0", recorded: .agent(agentID: "a", accountID: "acme"), draft: .admin(accountID: "acme")))
        #expect(moved.counts.first { $0.target == .admin(accountID: "acme") }.map { ($0.recorded, $0.draft) } ?? (0, 0) == (2, 8))
    }

    @Test func aBacktestResetsDailyCapsAtMidnight() {
        var capped = Self.policy
        capped.agents[0].dailyCap = 1
        capped.agents[1].dailyCap = 1
        let day = 86_400.0
        let start = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: day))
        let replayed = [0.0, 1, day, day + 1].enumerated().map { index, offset in
            Backtest.Replayed(id: "ld_\(index)", receivedAt: start.addingTimeInterval(offset), lead: Lead(tags: ["buyer"]), recorded: nil)
        }
        let result = Backtest.run(replayed, draft: capped, timeZone: TimeZone(identifier: "UTC")!)
        #expect(result.counts.first { $0.target?.agentID == "a" }?.draft == 2)
        #expect(result.counts.first { $0.target?.agentID == "b" }?.draft == 2)
    }
}
