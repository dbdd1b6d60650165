import Foundation
import LeadPolicy
import Testing

@testable import LeadStore

/// `JSONText` must write what `JSONEncoder` writes: the audit chain's hashes are computed over that
/// form, and every lead column is read back with the `Codable` conformances.
@Suite struct JSONTextTests {
    static let awkwardStrings: [String?] = [
        "", "plain", "a/b", "https://x.example/path?q=1", "quote \" and backslash \\", "tab\tnew\nline\rreturn",
        "\u{08}\u{0C}\u{00}\u{01}\u{1F}\u{7F}", "café", "日本語", "emoji 🏠🔑", "\u{2028}\u{2029}", nil, "<script>&amp;</script>",
    ]

    @Test func stringsAreEscapedExactlyAsJSONEncoderEscapesThem() throws {
        var canonical = JSONText(escapesSlashes: true)
        canonical.array(Self.awkwardStrings) { $0.optionalString($1) }
        #expect(canonical.bytes == Array(try JSONEncoder().encode(Self.awkwardStrings)))

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var plain = JSONText()
        plain.array(Self.awkwardStrings) { $0.optionalString($1) }
        #expect(plain.bytes == Array(try encoder.encode(Self.awkwardStrings)))
    }

    /// A lead's tags read back as written, however awkward, and a stored value that is not a list of
    /// strings is an error rather than a guess.
    @Test func tagsReadBackAsWritten() throws {
        let tags = Self.awkwardStrings.compactMap { $0 }
        #expect(try LeadTables.tags(LeadTables.text(tags)) == tags)
        #expect(try LeadTables.tags("[]") == [])
        #expect(try LeadTables.tags(String(decoding: JSONEncoder().encode(tags), as: UTF8.self)) == tags)
        #expect(throws: StoreError.self) { try LeadTables.tags(#"["a", 1]"#) }
        #expect(throws: StoreError.self) { try LeadTables.tags(#"{"a": "b"}"#) }
    }

    @Test func jsonValuesWithSortedKeysMatchTheAuditEncoder() throws {
        let value: JSONValue = .object([
            "zeta": .number(1), "alpha": .array([.number(1.5), .number(-0.25), .number(1e20), .number(123_456_789_012), .number(0.1)]),
            "Beta": .bool(true), "b/slash": .string("x/y"), "nested": .object(["y": .null, "x": .string("ü")]), "emptyObject": .object([:]),
            "emptyArray": .array([]), "tiny": .number(1e-7),
        ])
        var text = JSONText()
        text.value(value, sortingKeys: true)
        #expect(text.text == String(decoding: try AuditLog.encoder.encode(value), as: UTF8.self))
    }

    @Test func aDecisionIsWrittenAsItsCodableFormAndReadsBack() throws {
        let decision = Decision(
            ruleID: "buyers", via: "fallback", target: .agent(agentID: "jane", accountID: "acme"),
            explanation: Explanation(
                summary: "rule 'buyers' matched; its fallback chose agent 'jane': \"quoted\"",
                rules: [RuleCheck(ruleID: "vip", priority: 1, result: .notMatched, reason: "campaign_id 'x' is not one of ['y']"),
                        RuleCheck(ruleID: "off", priority: 2, result: .disabled, reason: "the rule is disabled"),
                        RuleCheck(ruleID: "buyers", priority: 3, result: .matched, reason: "tag ['buyer'] among tags_any")],
                steps: [ActionStep(via: "action", action: .pool(poolID: "p"), target: nil,
                                   skipped: [AgentSkip(agentID: "bob", reason: .atCap, detail: "20 of 20 leads today")],
                                   eligible: [], sticky: nil, note: "no member of pool 'p' is available"),
                        ActionStep(via: "fallback", action: .agent(agentID: "jane"), target: .agent(agentID: "jane", accountID: "acme"),
                                   skipped: [], eligible: [EligibleAgent(agentID: "jane", weight: 2)], sticky: true, note: "the rule names agent 'jane'"),
                        ActionStep(via: "action", action: .crmRoundRobin(accountID: "acme"), target: .admin(accountID: "acme"),
                                   skipped: [], note: "admin")]))
        // JSONEncoder orders an object's keys as its storage happens to, so the oracle is the same
        // document (parsed), and the same value (decoded).
        #expect(try Self.parsed(LeadTables.text(decision)) == Self.parsed(try JSONEncoder().encode(decision)))
        #expect(try JSONDecoder().decode(Decision.self, from: Data(LeadTables.text(decision).utf8)) == decision)
        let unrouted = Decision(ruleID: nil, via: nil, target: nil, explanation: Explanation(summary: "no rules", rules: [], steps: []))
        #expect(try Self.parsed(LeadTables.text(unrouted)) == Self.parsed(try JSONEncoder().encode(unrouted)))
    }

    /// The engine's own decisions keep what each rule compared and write the reasons straight into the
    /// document: they must read as the words `reason` gives, escaped like any other string.
    @Test func anEngineDecisionWritesEveryReasonAsItsWords() throws {
        let rules = [
            Rule(id: "campaign", name: "C", priority: 1, match: .init(campaignIDs: ["fall \"26\"", "a/b"]), action: .agent(agentID: "a")),
            Rule(id: "none", name: "N", priority: 2, match: .init(campaignIDs: ["x"], tagsAny: ["vip"]), action: .agent(agentID: "a")),
            Rule(id: "any", name: "A", priority: 3, match: .init(tagsAny: ["Luxury", "vip\\"]), action: .agent(agentID: "a")),
            Rule(id: "all", name: "L", priority: 4, match: .init(tagsAll: ["buyer", "café"]), action: .agent(agentID: "a")),
            Rule(id: "vendor", name: "V", priority: 5, match: .init(vendorIDs: ["zillow"]), action: .agent(agentID: "a")),
            Rule(id: "rest", name: "R", priority: 6, action: .agent(agentID: "a")),
        ]
        let policy = Policy(accounts: [Account(id: "acme", name: "Acme")], agents: [Agent(id: "a", accountID: "acme", name: "A")], rules: rules)
        for lead in [Lead(vendorID: "realtor", campaignID: "spring\ttab", tags: ["Buyer", "emoji 🏠"]), Lead()] {
            let decision = RoutingEngine.decide(lead, policy: policy, state: RoutingState()).decision
            let stored = try JSONDecoder().decode(Decision.self, from: Data(LeadTables.text(decision).utf8))
            #expect(stored == decision)
            #expect(stored.explanation.rules.map(\.reason) == decision.explanation.rules.map(\.reason))
            #expect(try Self.parsed(LeadTables.text(decision)) == Self.parsed(try JSONEncoder().encode(decision)))
        }
    }

    /// A batch writes its decisions with one memo of the parts that repeat (the rules' results, a
    /// pool's eligible members): every decision must still read exactly as if written alone, whether
    /// the lead before it was tried alike or not.
    @Test func decisionsWrittenInARowReadAsIfWrittenAlone() throws {
        let agents = (0..<4).map { Agent(id: "agent-\($0)", accountID: "acme", name: "A\($0)", weight: 1 + $0, dailyCap: $0 == 3 ? 2 : nil) }
        let rules = [
            Rule(id: "zillow", name: "Z", priority: 0, match: .init(vendorIDs: ["zillow"]), action: .agent(agentID: "agent-0")),
            Rule(id: "spring", name: "S", priority: 1, match: .init(campaignIDs: ["spring"]), action: .agent(agentID: "agent-0")),
            Rule(id: "vip", name: "V", priority: 2, match: .init(tagsAny: ["vip"]), action: .pool(poolID: "team")),
            Rule(id: "rest", name: "R", priority: 3, action: .pool(poolID: "team")),
        ]
        let policy = Policy(accounts: [Account(id: "acme", name: "Acme")], agents: agents,
                            pools: [Pool(id: "team", name: "Team", members: agents.map { Pool.Member(agentID: $0.id) })], rules: rules)
        // Alike leads in a row, and leads that differ from the one before only in their tags or vendor,
        // which the reasons of the rules they did not fit name.
        let leads = [Lead(campaignID: "fall"), Lead(campaignID: "fall"), Lead(campaignID: "fall", tags: ["buyer"]),
                     Lead(vendorID: "realtor", campaignID: "fall", tags: ["buyer"]), Lead(campaignID: "winter", tags: ["vip"]),
                     Lead(campaignID: "winter", tags: ["vip"]), Lead(campaignID: "spring"), Lead(campaignID: "fall"), Lead()]
        var state = RoutingState()
        var memo = DecisionTextMemo()
        for (index, lead) in leads.enumerated() {
            // The capped agent fills up after two leads, so the eligible members change mid-run.
            if index >= 5 { state.leadsToday["agent-3"] = 2 }
            let decision = RoutingEngine.decide(lead, policy: policy, state: state).decision
            let alone = LeadTables.text(decision)
            let inARow = LeadTables.text(decision, memo: &memo)
            #expect(inARow == alone, "lead \(index)")
            #expect(try JSONDecoder().decode(Decision.self, from: Data(inARow.utf8)) == decision)
        }
        // A check read back from storage keeps only words: it is written afresh, never mistaken for a
        // structured one with the same words.
        let engine = RoutingEngine.decide(leads[0], policy: policy, state: RoutingState()).decision
        let stored = try JSONDecoder().decode(Decision.self, from: Data(LeadTables.text(engine).utf8))
        #expect(!stored.explanation.rules[0].compared(sameAs: engine.explanation.rules[0]))
        #expect(engine.explanation.rules[0].compared(sameAs: engine.explanation.rules[0]))
        #expect(LeadTables.text(stored, memo: &memo) == LeadTables.text(stored))
    }

    /// Each lead's two audit events are written directly; their stored text must be what `AuditLog`
    /// writes for the same documents, or the chain would hash something else than it shows.
    @Test func aLeadsAuditEventsAreStoredAsTheAuditLogWritesThem() throws {
        let explanation = Explanation(summary: "s", rules: [], steps: [])
        let cases: [(Decision, LeadStatus, Int?)] = [
            (Decision(ruleID: "vip/1", via: "action", target: .agent(agentID: "jane \"j\"", accountID: "acme"), explanation: explanation), .queued, 7),
            (Decision(ruleID: "rest", via: "fallback", target: .admin(accountID: "acme"), explanation: explanation), .queued, 12),
            (Decision(ruleID: nil, via: nil, target: nil, explanation: explanation), .unrouted, nil),
        ]
        for (decision, status, version) in cases {
            let events = LeadEvents.decided("ld_1", vendorID: "zillow/x", decision: decision, status: status, policyVersion: version)
            var target: JSONValue = .null
            if let t = decision.target {
                var object: [String: JSONValue] = ["kind": .string(t.kind), "account_id": .string(t.accountID)]
                if let agentID = t.agentID { object["agent_id"] = .string(agentID) }
                target = .object(object)
            }
            let routed: JSONValue = .object([
                "status": .string(status.rawValue), "rule_id": decision.ruleID.map(JSONValue.string) ?? .null,
                "policy_version": version.map { .number(Double($0)) } ?? .null, "target": target,
            ])
            #expect(events.map(\.type) == ["lead.received", status == .unrouted ? "lead.unrouted" : "lead.routed"])
            #expect(events[0].afterText == (try AuditLog.text(.object(["vendor_id": .string("zillow/x")]))))
            #expect(events[1].afterText == (try AuditLog.text(routed)))
        }
    }

    static func parsed(_ text: String) throws -> JSONValue { try parsed(Data(text.utf8)) }
    static func parsed(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    @Test func aRoutingStateReadsBackExactly() throws {
        let state = RoutingState(
            rotations: ["p": PoolRotation(current: ["a": 3, "b": -2, "c": 0]), "q": PoolRotation(current: [:])],
            leadsToday: ["a": 4, "b": 0],
            previousAssignments: [PreviousAssignment(agentID: "a", at: Date(timeIntervalSince1970: 1_790_000_000.123))],
            now: Date(timeIntervalSince1970: 1_800_000_000.987654))
        // Times are kept to the millisecond, as every time the store writes: what was written reads
        // back to the same state but for the microseconds.
        let text = LeadTables.text(state)
        let read = try JSONDecoder().decode(RoutingState.self, from: Data(text.utf8))
        #expect(read.previousAssignments.map(\.agentID) == ["a"])
        #expect(read.rotations == state.rotations && read.leadsToday == state.leadsToday)
        #expect(abs(read.now.timeIntervalSince(state.now)) < 0.001)
        #expect(abs(read.previousAssignments[0].at.timeIntervalSince(state.previousAssignments[0].at)) < 0.001)
        #expect(try Self.parsed(text) == Self.parsed(try JSONEncoder().encode(state)))
        #expect(try JSONDecoder().decode(RoutingState.self, from: Data(LeadTables.text(RoutingState(now: Date(timeIntervalSinceReferenceDate: 0))).utf8))
            == RoutingState(now: Date(timeIntervalSinceReferenceDate: 0)))
    }

    /// `decision.state.now` and `previous_assignments[].at` are RFC 3339, as every other time; states
    /// stored before hold seconds since 2001 and still read.
    @Test func stateTimesAreRFC3339AndOldStatesStillRead() throws {
        let state = RoutingState(previousAssignments: [PreviousAssignment(agentID: "a", at: Date(timeIntervalSince1970: 1_790_000_000.5))],
                                 now: Date(timeIntervalSince1970: 1_800_000_000.25))
        let parsed = try Self.parsed(LeadTables.text(state)).objectValue
        #expect(parsed?["now"] == .string("2027-01-15T08:00:00.250Z"))
        #expect(parsed?["previous_assignments"] == .array([.object(["agent_id": .string("a"), "at": .string("2026-09-21T14:13:20.500Z")])]))
        let old = #"{"rotations":{},"leads_today":{},"previous_assignments":[{"agent_id":"a","at":811692800.5}],"now":821692800.25}"#
        let read = try JSONDecoder().decode(RoutingState.self, from: Data(old.utf8))
        #expect(read.now == Date(timeIntervalSince1970: 1_800_000_000.25))
        #expect(read.previousAssignments.first?.at == Date(timeIntervalSince1970: 1_790_000_000.5))
    }
}
