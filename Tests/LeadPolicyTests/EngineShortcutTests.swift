import Foundation
import LeadPolicy
import Testing

/// The engine takes two shortcuts: the policy index finds the first rule that fits without trying
/// the others one by one, and a rotation is laid over its pool's members and advanced by index. Each
/// must decide and explain exactly what the plain algorithm does, which these tests run beside it
/// on many random policies, leads and histories.
@Suite struct EngineShortcutTests {
    /// SplitMix64: the same seed gives the same cases on every run and machine.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    // MARK: The first rule that fits

    /// Rule matching as the contract states it, written plainly.
    static func fits(_ match: Rule.Match, _ lead: Lead, at: Date) -> Bool {
        if let campaignIDs = match.campaignIDs, !campaignIDs.isEmpty {
            guard let campaignID = lead.campaignID, campaignIDs.contains(campaignID) else { return false }
        }
        let tags = Set(lead.tags.map { $0.lowercased() })
        if let tagsAny = match.tagsAny, !tagsAny.isEmpty, !tagsAny.contains(where: { tags.contains($0.lowercased()) }) { return false }
        if let tagsAll = match.tagsAll, !tagsAll.isEmpty, !tagsAll.allSatisfy({ tags.contains($0.lowercased()) }) { return false }
        if let vendorIDs = match.vendorIDs, !vendorIDs.isEmpty {
            guard let vendorID = lead.vendorID, vendorIDs.contains(vendorID) else { return false }
        }
        for condition in match.fields ?? [] where !plainHolds(condition, lead) { return false }
        if let schedule = match.schedule, !plainInside(schedule, at) { return false }
        return true
    }

    /// A field condition as ROUTING.md states it.
    static func plainHolds(_ condition: FieldCondition, _ lead: Lead) -> Bool {
        func text(_ value: JSONValue?) -> String? {
            switch value {
            case .string(let string)?:
                let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.isEmpty ? nil : trimmed.lowercased()
            case .number(let number)?: return number == number.rounded() ? String(Int(number)) : String(number)
            case .bool(let bool)?: return String(bool)
            default: return nil
            }
        }
        let found = text(lead.fields.first { $0.key.lowercased() == condition.field.lowercased() }?.value)
        let wanted = text(condition.value)
        var list: [String] = []
        if case .array(let values)? = condition.value { list = values.compactMap { text($0) } }
        let number = found.flatMap { Double($0.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "$", with: "")) }
        switch condition.op {
        case .equals: return found != nil && found == wanted
        case .notEquals: return found != wanted
        case .in: return found.map(list.contains) ?? false
        case .notIn: return !(found.map(list.contains) ?? false)
        case .prefix: return found.map { $0.hasPrefix(wanted!) } ?? false
        case .contains: return found.map { $0.contains(wanted!) } ?? false
        case .exists: return found != nil
        case .missing: return found == nil
        case .gt, .gte, .lt, .lte:
            guard let number, case .number(let bound)? = condition.value else { return false }
            switch condition.op {
            case .gt: return number > bound
            case .gte: return number >= bound
            case .lt: return number < bound
            default: return number <= bound
            }
        case .between:
            guard let number, case .array(let pair)? = condition.value, case .number(let low) = pair[0], case .number(let high) = pair[1] else { return false }
            return low <= number && number <= high
        }
    }

    /// A schedule as ROUTING.md states it, by Foundation's calendar.
    static func plainInside(_ schedule: Schedule, _ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: schedule.timeZone)!
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let names: [Schedule.Day] = [.sun, .mon, .tue, .wed, .thu, .fri, .sat]
        let day = names[parts.weekday! - 1], yesterday = names[(parts.weekday! + 5) % 7]
        let minute = parts.hour! * 60 + parts.minute!
        if schedule.from == schedule.until { return schedule.days.contains(day) }
        if schedule.from < schedule.until { return schedule.days.contains(day) && minute >= schedule.from && minute < schedule.until }
        return (schedule.days.contains(day) && minute >= schedule.from) || (schedule.days.contains(yesterday) && minute < schedule.until)
    }

    static let zips: [JSONValue] = [.string("60601"), .number(60602), .string(" 60603 "), .string("53703")]
    static let prices: [JSONValue] = [.number(250_000), .string("$450,000"), .string("call me"), .number(99_999.5)]

    /// Now and then a condition on `zip` or `price`, of any op.
    static func someFields(using random: inout SeededGenerator) -> [FieldCondition]? {
        guard Int.random(in: 0..<3, using: &random) == 0 else { return nil }
        return (0..<Int.random(in: 1...2, using: &random)).map { _ in
            let op = FieldCondition.Op.allCases.randomElement(using: &random)!
            let field = Bool.random(using: &random) ? "zip" : "Price"
            let value: JSONValue? = switch op {
            case .equals, .notEquals, .prefix, .contains: zips.randomElement(using: &random)!
            case .in, .notIn: .array(Array(zips.shuffled(using: &random).prefix(2)))
            case .exists, .missing: nil
            case .gt, .gte, .lt, .lte: .number([99_999.5, 250_000, 450_000].randomElement(using: &random)!)
            case .between: .array([.number(100_000), .number(450_000)])
            }
            return FieldCondition(field: field, op: op, value: value)
        }
    }

    static func someSchedule(using random: inout SeededGenerator) -> Schedule? {
        guard Int.random(in: 0..<4, using: &random) == 0 else { return nil }
        return Schedule(timeZone: ["America/Chicago", "Asia/Kolkata", "UTC"].randomElement(using: &random)!,
                        days: Array(Schedule.Day.allCases.shuffled(using: &random).prefix(Int.random(in: 1...7, using: &random))),
                        from: Int.random(in: 0..<48, using: &random) * 30, until: Int.random(in: 0..<48, using: &random) * 30)
    }

    static func someOf(_ words: [String], using random: inout SeededGenerator) -> [String]? {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: nil
        case 1: []
        default: Array(words.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)))
        }
    }

    static let campaigns = ["spring", "fall", "Spring", "winter"]
    static let tags = ["vip", "Buyer", "cash", "seller"]
    static let vendors = ["zillow", "realtor", "homes"]

    @Test func theIndexFindsTheFirstFittingRuleAndEveryCheckBeforeItReadsAsIfTried() throws {
        var random = SeededGenerator(state: 6)
        let agents = RoutingEngineTests.agents([("a", 1), ("b", 1)])
        for _ in 0..<600 {
            let rules = (0..<Int.random(in: 0...12, using: &random)).map { index in
                Rule(id: "r\(index)", name: "R", priority: Int.random(in: 1...5, using: &random),
                     enabled: Int.random(in: 0..<6, using: &random) != 0,
                     match: .init(campaignIDs: Self.someOf(Self.campaigns, using: &random), tagsAny: Self.someOf(Self.tags, using: &random),
                                  tagsAll: Int.random(in: 0..<3, using: &random) == 0 ? Self.someOf(Self.tags, using: &random) : nil,
                                  vendorIDs: Self.someOf(Self.vendors, using: &random), fields: Self.someFields(using: &random),
                                  schedule: Self.someSchedule(using: &random)),
                     action: .agent(agentID: "a"))
            }
            let policy = Policy(accounts: [RoutingEngineTests.acme], agents: agents, rules: rules)
            for _ in 0..<10 {
                let lead = Lead(vendorID: Bool.random(using: &random) ? Self.vendors.randomElement(using: &random) : nil,
                                campaignID: Bool.random(using: &random) ? Self.campaigns.randomElement(using: &random) : nil,
                                tags: Self.someOf(Self.tags, using: &random) ?? [],
                                fields: [Bool.random(using: &random) ? "zip" : "ZIP": Self.zips.randomElement(using: &random)!,
                                         "price": Self.prices.randomElement(using: &random)!].filter { _ in Int.random(in: 0..<4, using: &random) != 0 })
                // Any moment of a year, to the minute.
                let now = Date(timeIntervalSince1970: 1_767_225_600 + Double(Int.random(in: 0..<525_600, using: &random)) * 60)
                let ordered = policy.rulesInPriorityOrder
                let first = ordered.firstIndex { $0.enabled && Self.fits($0.match, lead, at: now) }
                let decision = RoutingEngine.decide(lead, policy: policy, state: RoutingState(now: now)).decision
                #expect(decision.ruleID == first.map { ordered[$0].id })
                let tried = first.map { ordered[...$0] } ?? ordered[...]
                #expect(decision.explanation.rules.map(\.ruleID) == tried.map(\.id))
                for (check, rule) in zip(decision.explanation.rules, tried) {
                    // The same rule alone in a policy: the engine has to try it, so its check is the
                    // one a walk through every rule makes.
                    let alone = RoutingEngine.decide(lead, policy: Policy(accounts: [RoutingEngineTests.acme], agents: agents, rules: [rule]),
                                                     state: RoutingState(now: now)).decision.explanation.rules
                    #expect(alone.count == 1)
                    #expect(check == alone.first, "rule \(rule.id) for \(lead)")
                    #expect(check.result == (!rule.enabled ? .disabled : rule.id == decision.ruleID ? .matched : .notMatched))
                }
                // Stored and read back, the checks are the same words.
                let decoded = try JSONDecoder().decode(Decision.self, from: JSONEncoder().encode(decision))
                #expect(decoded == decision)
            }
        }
    }

    // MARK: The rotation

    /// Smooth weighted round robin over `current` keyed by agent id, as the engine did it before it
    /// laid rotations over their pools.
    static func referencePick(_ pool: Pool, policy: Policy, leadsToday: [String: Int], current: inout [String: Int]) -> String? {
        let eligible = pool.members.filter { member in
            guard let agent = policy.agent(member.agentID), agent.active else { return false }
            return agent.dailyCap.map { leadsToday[member.agentID, default: 0] < $0 } ?? true
        }
        guard !eligible.isEmpty else { return nil }
        var total = 0
        var best: (agentID: String, current: Int)?
        for member in eligible {
            let weight = pool.weight(of: member, in: policy)
            total += weight
            current[member.agentID, default: 0] += weight
            if best == nil || current[member.agentID]! > best!.current { best = (member.agentID, current[member.agentID]!) }
        }
        let memberIDs = Set(pool.members.map(\.agentID))
        current = current.filter { memberIDs.contains($0.key) }
        current[best!.agentID]! -= total
        return best!.agentID
    }

    @Test func rotationsLaidOverTheirPoolPickAsTheKeyedRotationDid() throws {
        var random = SeededGenerator(state: 42)
        for _ in 0..<40 {
            var agents = (0..<8).map { index in
                Agent(id: "agent-\(index)", accountID: "acme", name: "A", weight: Int.random(in: 1...4, using: &random),
                      dailyCap: Int.random(in: 0..<3, using: &random) == 0 ? Int.random(in: 1...4, using: &random) : nil)
            }
            func members() -> [Pool.Member] {
                agents.shuffled(using: &random).prefix(Int.random(in: 1...8, using: &random)).map { agent in
                    Pool.Member(agentID: agent.id, weight: Int.random(in: 0..<3, using: &random) == 0 ? Int.random(in: 1...5, using: &random) : nil)
                }
            }
            var pool = Pool(id: "p", name: "P", members: members())
            var policy = Policy(accounts: [RoutingEngineTests.acme], agents: agents, pools: [pool],
                                rules: [Rule(id: "all", name: "All", priority: 1, action: .pool(poolID: "p"))])
            var state = RoutingState()
            var reference: [String: Int] = [:]
            // The same history decided with `decide(_:policy:advancing:)`, which advances the rotation
            // where it lies in the state.
            var advanced = RoutingState()
            for step in 0..<120 {
                switch Int.random(in: 0..<20, using: &random) {
                case 0:
                    // The pool changes: members leave, join or move.
                    pool.members = members()
                    policy.pools = [pool]
                case 1:
                    let index = Int.random(in: 0..<agents.count, using: &random)
                    agents[index].active.toggle()
                    agents[index].weight = Int.random(in: 1...4, using: &random)
                    policy.agents = agents
                case 2:
                    // A new day.
                    state.leadsToday = [:]
                case 3:
                    // Stored and read back, as the store keeps rotations: keyed by agent.
                    let stored = try JSONEncoder().encode(state.rotations)
                    state.rotations = try JSONDecoder().decode([String: PoolRotation].self, from: stored)
                    advanced.rotations = try JSONDecoder().decode([String: PoolRotation].self, from: stored)
                case 4:
                    state.rotations = state.rotations.mapValues { PoolRotation(current: $0.current) }
                default:
                    break
                }
                let available = pool.members.filter { member in
                    guard let agent = policy.agent(member.agentID), agent.active else { return false }
                    return agent.dailyCap.map { state.leadsToday[member.agentID, default: 0] < $0 } ?? true
                }
                let expected = Self.referencePick(pool, policy: policy, leadsToday: state.leadsToday, current: &reference)
                let before = state
                let outcome = RoutingEngine.decide(Lead(), policy: policy, state: state)
                #expect(state == before, "deciding leaves the state as it was")
                advanced.leadsToday = state.leadsToday
                let advancedOutcome = RoutingEngine.decide(Lead(), policy: policy, advancing: &advanced)
                #expect(advancedOutcome == outcome, "step \(step)")
                #expect(outcome.decision.target?.agentID == expected, "step \(step)")
                for (poolID, rotation) in outcome.rotations { state.rotations[poolID] = rotation }
                #expect((state.rotations["p"]?.current ?? [:]) == reference, "step \(step)")
                #expect(advanced.rotations == state.rotations, "step \(step)")
                // The members passed over, in member order, each with its reason, as checking every
                // member in turn finds them.
                let expectedSkips = pool.members.compactMap { member -> AgentSkip? in
                    let agent = policy.agent(member.agentID)!
                    if !agent.active { return AgentSkip(agentID: member.agentID, reason: .inactive, detail: "the agent is inactive") }
                    let today = state.leadsToday[member.agentID, default: 0]
                    if let cap = agent.dailyCap, today >= cap {
                        return AgentSkip(agentID: member.agentID, reason: .atCap, detail: "\(today) of \(cap) leads today")
                    }
                    return nil
                }
                #expect(outcome.decision.explanation.steps.first?.skipped == expectedSkips, "step \(step)")
                if let agentID = outcome.decision.target?.agentID { state.leadsToday[agentID, default: 0] += 1 }
                // The eligible list is the pool's available members in member order, with their weights.
                let eligible = outcome.decision.explanation.steps.first?.eligible ?? []
                #expect(eligible.map(\.agentID) == available.map(\.agentID))
                #expect(eligible.map(\.weight) == available.map { pool.weight(of: $0, in: policy) })
            }
        }
    }

    /// Two eligible lists compare by their agents and weights, however each was made.
    @Test func eligibleListsCompareByTheirAgents() throws {
        let agents = RoutingEngineTests.agents([("a", 2), ("b", 1)])
        let policy = RoutingEngineTests.policy(agents: agents, pool: [.init(agentID: "a"), .init(agentID: "b")])
        let made = try #require(RoutingEngine.decide(Lead(), policy: policy, state: RoutingState()).decision.explanation.steps.first?.eligible)
        let given: EligibleAgents = [EligibleAgent(agentID: "a", weight: 2), EligibleAgent(agentID: "b", weight: 1)]
        #expect(made == given && given == made)
        #expect(made != [EligibleAgent(agentID: "a", weight: 2)])
        #expect(try JSONDecoder().decode(EligibleAgents.self, from: JSONEncoder().encode(made)) == given)
    }
}
