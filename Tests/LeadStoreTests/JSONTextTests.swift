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

    static func parsed(_ text: String) throws -> JSONValue { try parsed(Data(text.utf8)) }
    static func parsed(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    @Test func aRoutingStateReadsBackExactly() throws {
        let state = RoutingState(
            rotations: ["p": PoolRotation(current: ["a": 3, "b": -2, "c": 0]), "q": PoolRotation(current: [:])],
            leadsToday: ["a": 4, "b": 0],
            previousAssignments: [PreviousAssignment(agentID: "a", at: Date(timeIntervalSince1970: 1_790_000_000.123))],
            now: Date(timeIntervalSince1970: 1_800_000_000.987654))
        #expect(try JSONDecoder().decode(RoutingState.self, from: Data(LeadTables.text(state).utf8)) == state)
        #expect(try Self.parsed(LeadTables.text(state)) == Self.parsed(try JSONEncoder().encode(state)))
        #expect(try JSONDecoder().decode(RoutingState.self, from: Data(LeadTables.text(RoutingState(now: Date(timeIntervalSinceReferenceDate: 0))).utf8))
            == RoutingState(now: Date(timeIntervalSinceReferenceDate: 0)))
    }
}
