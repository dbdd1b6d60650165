import Foundation
import GRDB
import LeadPolicy
import Testing

@testable import LeadStore
@testable import LeadStoreSQLite

/// A lead's decision is decided again from its policy version and stored state when read
/// (`DecisionReplay`): it must be, word for word, the one the engine made when the lead came in.
@Suite struct DecisionReplayTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let agentIDs = (0..<20).map { "a\($0)" }

    /// Twenty agents of two accounts, some capped; a round-robin pool, a sticky pool, a direct rule
    /// with a fallback, the CRM's round robin for one vendor's VIPs, and leads that nothing matches.
    static func policy(weights: (Int) -> Int = { $0 % 3 + 1 }, caps: [String: Int] = ["a0": 40, "a1": 25, "a2": 0, "a3": 15, "a13": 30],
                       mainMembers: [String] = Array(agentIDs.prefix(12))) -> Policy {
        Policy(
            accounts: [Account(id: "acme", name: "Acme"), Account(id: "beta", name: "Beta")],
            agents: agentIDs.enumerated().map { index, id in
                Agent(id: id, accountID: index < 16 ? "acme" : "beta", name: id.uppercased(), weight: weights(index), dailyCap: caps[id])
            },
            pools: [Pool(id: "main", name: "Main", members: mainMembers.map { Pool.Member(agentID: $0) }),
                    Pool(id: "sticky", name: "Sticky", members: agentIDs.suffix(8).map { Pool.Member(agentID: $0, weight: 2) }, stickyDays: 30)],
            rules: [Rule(id: "vip", name: "VIP", priority: 1, match: .init(tagsAny: ["vip"], vendorIDs: ["zillow"]),
                         action: .crmRoundRobin(accountID: "beta")),
                    Rule(id: "direct", name: "Direct", priority: 2, match: .init(campaignIDs: ["direct"]), action: .agent(agentID: "a3"),
                         fallback: .pool(poolID: "main")),
                    Rule(id: "buyers", name: "Buyers", priority: 3, match: .init(tagsAny: ["buyer"]), action: .pool(poolID: "sticky"),
                         fallback: .pool(poolID: "main")),
                    Rule(id: "off", name: "Off", priority: 4, enabled: false, action: .pool(poolID: "main")),
                    Rule(id: "campaigns", name: "Campaigns", priority: 10, match: .init(campaignIDs: ["c1", "c2"]), action: .pool(poolID: "main"),
                         fallback: .crmRoundRobin(accountID: "acme"))])
    }

    static func apply(_ policy: Policy, to store: SQLiteStore) async throws {
        try await store.modifyPolicy(actor: .cli("test")) { draft in
            draft.policy = policy
            for account in policy.accounts { draft.setSecret("bb-admin-\(account.id)-0001", for: SecretOwner(kind: Account.kind, id: account.id)) }
            for agent in policy.agents { draft.setSecret("bb-user-\(agent.id)-00001", for: SecretOwner(kind: Agent.kind, id: agent.id)) }
        }
    }

    /// A lead of a varied stream: 300 emails (so sticky repeats), some without one, and every rule's case.
    static func submission(_ index: Int, random: inout SystemRandomNumberGenerator) -> LeadSubmission {
        let email: String? = index % 7 == 0 ? nil : "lead\(Int.random(in: 0..<300, using: &random))@example.com"
        let tags = [["buyer"], ["vip"], ["seller"], [], ["buyer", "vip"]][Int.random(in: 0..<5, using: &random)]
        let campaign = ["c1", "c2", "direct", nil][Int.random(in: 0..<4, using: &random)]
        let vendor = index % 3 == 0 ? "zillow" : "v"
        var fields: [String: JSONValue] = ["fname": .string("Lead \(index)"), "tags": .string(tags.joined(separator: ","))]
        if let email { fields["email"] = .string(email) }
        if let campaign { fields["campaign_id"] = .string(campaign) }
        return LeadSubmission(vendorID: vendor, fields: fields, lead: Lead(vendorID: vendor, email: email, campaignID: campaign, tags: tags))
    }

    @Test func tenThousandLeadsAreDecidedAgainWordForWord() async throws {
        let database = try TemporaryDatabase()
        var store = try database.open()
        _ = try await store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: .cli("test"))
        try await Self.apply(Self.policy(), to: store)
        var random = SystemRandomNumberGenerator()
        var decided: [(id: String, decision: Decision, state: RoutingState?)] = []
        var paused = false
        for batch in 0..<200 {
            if batch % 20 == 10 {
                // An agent paused, or resumed (no burst), as admins do through the day.
                paused.toggle()
                let active = !paused
                try await store.modifyPolicy(actor: .cli("test")) { draft in
                    if let index = draft.policy.agents.firstIndex(where: { $0.id == "a5" }) { draft.policy.agents[index].active = active }
                }
            }
            if batch == 100 {
                // Half-way: other weights, caps and members.
                try await Self.apply(Self.policy(weights: { 4 - $0 % 3 }, caps: ["a0": 60, "a4": 10, "a2": 0, "a3": 20],
                                                 mainMembers: Array(Self.agentIDs.prefix(14)).reversed()), to: store)
            }
            if batch == 140 {
                // A restart: every cache gone.
                try store.close()
                store = try database.open()
            }
            let submissions = (0..<50).map { Self.submission(batch * 50 + $0, random: &random) }
            for accepted in try await store.accept(submissions, dayTimeZone: Self.utc) {
                if let decision = accepted.decision { decided.append((accepted.leadID, decision, accepted.state)) }
            }
        }
        #expect(decided.count == 10_000)
        // What the stream met: caps reached, sticky repeats, fallbacks, the CRM, unrouted leads.
        let details = decided.flatMap { $0.decision.explanation.steps.flatMap { $0.skipped.map(\.reason) } }
        #expect(details.contains(.atCap) && details.contains(.inactive))
        #expect(decided.contains { $0.decision.explanation.steps.contains { $0.sticky == true } })
        #expect(decided.contains { $0.decision.via == "fallback" } && decided.contains { $0.decision.target == nil })
        #expect(decided.contains { $0.decision.target?.kind == "admin" })

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (index, (id, decision, state)) in decided.enumerated() {
            let stored = try #require(try await store.lead(id: id))
            #expect(stored.decision == decision, "\(id)")
            #expect(try encoder.encode(stored.decision) == encoder.encode(decision), "\(id)")
            // The state it read, every rotation replayed from a checkpoint (every fourth lead: each
            // replay reads up to a checkpoint's worth of the pool's leads).
            guard index % 4 == 0 else { continue }
            let storedText = String(decoding: try encoder.encode(stored.state), as: UTF8.self)
            // Stored to the millisecond, as the store writes every time.
            var read = state
            func millisecond(_ date: Date) -> Date { Timestamp.parse(Timestamp.string(date)) ?? date }
            read?.now = millisecond(state?.now ?? Date())
            read?.previousAssignments = state?.previousAssignments.map { PreviousAssignment(agentID: $0.agentID, at: millisecond($0.at)) } ?? []
            let readText = String(decoding: try encoder.encode(read), as: UTF8.self)
            #expect(storedText == readText, "\(id): \(storedText) vs \(readText)")
        }
        let checkpoints = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rotation_checkpoint") ?? 0 }
        #expect(checkpoints > 10 && checkpoints < 200, "\(checkpoints) checkpoints")
        let written = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lead WHERE decision_json <> ''") }
        #expect(written == 0, "every decision is decided again, none written out")
        // Backtests and fairness read the same decisions.
        let replayed = try await store.decidedLeads(since: nil, until: nil)
        #expect(Dictionary(uniqueKeysWithValues: replayed.map { ($0.id, $0.decision) }) == Dictionary(uniqueKeysWithValues: decided.map { ($0.id, $0.decision) }))
        let stateBytes = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT AVG(LENGTH(state_json)) FROM lead") ?? 0 }
        #expect(stateBytes < 400, "a lead's stored state: \(stateBytes) bytes")
    }

    /// Rules on the lead's own fields and on the clock, agents away and off hours: decided again from the
    /// lead's stored fields and decision time, word for word, after a restart too.
    @Test func fieldsSchedulesAndTimeAwayAreDecidedAgainWordForWord() async throws {
        let database = try TemporaryDatabase()
        var store = try database.open()
        let now = Date()
        // Off hours for the whole test: a window two hours from now, every day, in UTC.
        let minute = Int(now.timeIntervalSince1970 / 60) % 1440
        let offHours = Schedule(timeZone: "UTC", days: Schedule.Day.allCases, from: (minute + 120) % 1440, until: (minute + 180) % 1440)
        let always = Schedule(timeZone: "America/Chicago", days: Schedule.Day.allCases, from: 0, until: 0)
        let ids = (0..<6).map { "a\($0)" }
        let policy = Policy(
            accounts: [Account(id: "acme", name: "Acme")],
            agents: ids.enumerated().map { index, id in
                Agent(id: id, accountID: "acme", name: id.uppercased(), weight: index % 2 + 1, dailyCap: index == 5 ? 20 : nil,
                      schedule: index == 2 ? offHours : index == 3 ? always : nil,
                      awayUntil: index == 1 ? Date(timeIntervalSince1970: 4_102_444_800) : nil)
            },
            pools: [Pool(id: "p", name: "P", members: ids.map { Pool.Member(agentID: $0) })],
            rules: [Rule(id: "zips", name: "Zips", priority: 1,
                         match: .init(fields: [FieldCondition(field: "zip", op: .in, value: .array([.string("60601"), .number(60602)]))]),
                         action: .pool(poolID: "p")),
                    Rule(id: "pricey", name: "Pricey", priority: 2, match: .init(fields: [FieldCondition(field: "price", op: .gte, value: .number(300_000))]),
                         action: .agent(agentID: "a1"), fallback: .pool(poolID: "p")),
                    Rule(id: "vip-hours", name: "VIP in hours", priority: 3, match: .init(tagsAny: ["vip"], schedule: always),
                         action: .agent(agentID: "a2"), fallback: .crmRoundRobin(accountID: "acme")),
                    Rule(id: "nights", name: "Nights", priority: 4, match: .init(schedule: offHours), action: .crmRoundRobin(accountID: "acme")),
                    Rule(id: "rest", name: "Rest", priority: 5, action: .pool(poolID: "p"))])
        try await Self.apply(policy, to: store)
        var random = SystemRandomNumberGenerator()
        var decided: [(id: String, decision: Decision)] = []
        for batch in 0..<12 {
            if batch == 6 {
                try store.close()
                store = try database.open()
            }
            let submissions = (0..<50).map { index -> LeadSubmission in
                var fields: [String: JSONValue] = ["fname": .string("Lead \(batch * 50 + index)")]
                if Bool.random(using: &random) { fields[Bool.random(using: &random) ? "zip" : "Zip"] = [.string("60601"), .number(60602), .string("53703")].randomElement(using: &random)! }
                if Bool.random(using: &random) { fields["price"] = [.string("$450,000"), .number(250_000), .string("call")].randomElement(using: &random)! }
                let tags = Bool.random(using: &random) ? ["vip"] : []
                if !tags.isEmpty { fields["tags"] = .string("vip") }
                return LeadSubmission(vendorID: "v", fields: fields, lead: Lead(vendorID: "v", tags: tags, fields: fields))
            }
            for accepted in try await store.accept(submissions, dayTimeZone: Self.utc) {
                if let decision = accepted.decision { decided.append((accepted.leadID, decision)) }
            }
        }
        let skips = Set(decided.flatMap { $0.decision.explanation.steps.flatMap { $0.skipped.map(\.reason) } })
        #expect(skips.isSuperset(of: [.away, .offHours]), "\(skips)")
        #expect(Set(decided.compactMap(\.decision.ruleID)).isSuperset(of: ["zips", "pricey", "vip-hours", "rest"]))
        let reasons = decided.flatMap { $0.decision.explanation.rules.map(\.reason) }
        #expect(reasons.contains { $0.hasPrefix("field 'price' is 'call', not a number") })
        #expect(reasons.contains { $0.hasPrefix("outside schedule: ") })
        for (id, decision) in decided {
            #expect(try await store.lead(id: id)?.decision == decision, "\(id)")
        }
        let replayed = try await store.decidedLeads(since: nil, until: nil)
        #expect(Dictionary(uniqueKeysWithValues: replayed.map { ($0.id, $0.decision) }) == Dictionary(uniqueKeysWithValues: decided.map { ($0.id, $0.decision) }))
        try store.close()
    }

    @Test func leadsWrittenOutInFullAreConvertedLeadByLeadAndAMismatchIsKept() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        _ = try await store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: .cli("test"))
        try await Self.apply(Self.policy(), to: store)
        var random = SystemRandomNumberGenerator()
        let accepted = try await store.accept((0..<300).map { Self.submission($0, random: &random) }, dayTimeZone: Self.utc)
        let decisions = Dictionary(uniqueKeysWithValues: accepted.compactMap { lead in lead.decision.map { (lead.leadID, $0) } })
        // Rows as the code before wrote them: each decision written out in full (its Codable form).
        let tampered = try #require(decisions.keys.sorted().first)
        try await store.pool.write { db in
            for (id, decision) in decisions {
                var written = decision
                if id == tampered { written.explanation.summary = "edited by hand" }
                try db.execute(sql: "UPDATE lead SET decision_json = ? WHERE id = ?",
                               arguments: [String(decoding: try JSONEncoder().encode(written), as: UTF8.self), id])
            }
        }
        try await store.pool.write { db in try DecisionReplay.convertStoredDecisions(in: db) }
        let kept = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM lead WHERE decision_json <> ''") }
        #expect(kept == [tampered])
        for (id, decision) in decisions where id != tampered {
            #expect(try await store.lead(id: id)?.decision == decision, "\(id)")
        }
        #expect(try await store.lead(id: tampered)?.decision.explanation.summary == "edited by hand")
        #expect(try await store.verifyAuditChain().ok)
    }

    @Test func anErasedEmailStillDecidesAStickyLeadAgain() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        _ = try await store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: .cli("test"))
        try await Self.apply(Self.policy(), to: store)
        let lead = LeadSubmission(vendorID: "v", fields: ["fname": .string("Pat"), "email": .string("pat@example.com"), "tags": .string("buyer")],
                                  lead: Lead(vendorID: "v", email: "pat@example.com", tags: ["buyer"]))
        _ = try await store.accept([lead], dayTimeZone: Self.utc)
        let repeated = try #require(try await store.accept([lead], dayTimeZone: Self.utc).first)
        #expect(repeated.decision?.explanation.steps.first?.sticky == true)
        #expect(try await store.eraseContactFields(receivedBefore: Date().addingTimeInterval(60), actor: .cli("test")) == 2)
        let stored = try #require(try await store.lead(id: repeated.leadID))
        #expect(stored.email == nil)
        #expect(stored.decision == repeated.decision)
    }

    @Test func aPickThatCannotBeReplayedNeverStopsIngest() async throws {
        let database = try TemporaryDatabase()
        var store = try database.open()
        _ = try await store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: .cli("test"))
        try await Self.apply(Self.policy(), to: store)
        var random = SystemRandomNumberGenerator()
        // Batches of ten: the pool's first batch is checkpointed, the rest are replayed from there.
        var first: [AcceptedLead] = []
        for batch in 0..<6 {
            first += try await store.accept((batch * 10..<batch * 10 + 10).map { Self.submission($0, random: &random) }, dayTimeZone: Self.utc)
        }
        // A pick's record removed by hand, and a restart: the pool's rotation cannot be replayed.
        try await store.pool.write { db in
            let last = try Int.fetchOne(db, sql: "SELECT MAX(rotation_seq) FROM lead WHERE rotation_pool = 'main'") ?? 0
            let checkpoint = try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM rotation_checkpoint WHERE pool_id = 'main'") ?? 0
            #expect(last > checkpoint + 2, "a pick to remove after the checkpoint")
            try db.execute(sql: "UPDATE lead SET rotation_seq = NULL WHERE rotation_pool = 'main' AND rotation_seq = ?", arguments: [last - 1])
        }
        try store.close()
        store = try database.open()
        let later = try await store.accept((60..<120).map { Self.submission($0, random: &random) }, dayTimeZone: Self.utc)
        #expect(later.count == 60 && later.allSatisfy { $0.status == .queued || $0.status == .unrouted })
        // The batch kept a checkpoint of where it left the pool, so the leads after it replay again.
        let recovered = try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM rotation_checkpoint WHERE pool_id = 'main'") ?? 0
        }
        #expect(recovered == (try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT seq FROM pool_sequence WHERE pool_id = 'main'") }))
        for accepted in first + later {
            let stored = try #require(try await store.lead(id: accepted.leadID))
            if let decision = accepted.decision { #expect(stored.decision == decision) }
        }
    }
}
