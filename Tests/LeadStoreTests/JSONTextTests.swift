import Foundation
import LeadPolicy
import Testing

@testable import LeadStore
@testable import LeadStoreSQLite

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
    /// A lead's stored state leaves out what is empty and a decision time equal to its `received_at`;
    /// whatever it holds reads back to the state the engine read (rotations aside: they are replayed).
    @Test func aLeadsStoredStateLeavesOutWhatReadsBackAnyway() throws {
        let receivedAt = "2027-01-15T08:00:00.250Z"
        let usual = RoutingState(rotations: ["p": PoolRotation(current: ["a": 1])], now: try #require(Timestamp.parse(receivedAt)))
        let usualText = LeadTables.text(usual, rotationSeqs: ["p": 41], receivedAt: receivedAt)
        #expect(usualText == #"{"rotation_seqs":{"p":41}}"#)
        let usualRead = try StoredState.parse(usualText, receivedAt: receivedAt)
        #expect(usualRead.state == RoutingState(now: usual.now) && usualRead.rotationSeqs == ["p": 41])

        let full = RoutingState(rotations: ["p": PoolRotation(current: ["a": 1]), "q": PoolRotation(current: [:])], leadsToday: ["a": 4],
                                previousAssignments: [PreviousAssignment(agentID: "a", at: try #require(Timestamp.parse("2027-01-10T08:00:00.000Z")))],
                                now: try #require(Timestamp.parse("2027-01-16T09:30:00.000Z")))
        let fullText = LeadTables.text(full, rotationSeqs: ["p": 7], receivedAt: receivedAt)
        #expect(fullText == #"{"leads_today":{"a":4},"previous_assignments":[{"agent_id":"a","at":"2027-01-10T08:00:00.000Z"}],"#
                + #""now":"2027-01-16T09:30:00.000Z","rotation_seqs":{"p":7,"q":0}}"#)
        let fullRead = try StoredState.parse(fullText, receivedAt: receivedAt)
        #expect(fullRead.state.leadsToday == full.leadsToday && fullRead.state.previousAssignments == full.previousAssignments
                && fullRead.state.now == full.now && fullRead.state.rotations.isEmpty)
        #expect(fullRead.rotationSeqs == ["p": 7, "q": 0])

        // A state as leads stored it before: every member written, read as it is.
        let before = try StoredState.parse(#"{"rotations":{},"leads_today":{"a":2},"previous_assignments":[],"now":"2027-01-16T09:30:00.000Z","rotation_seqs":{"p":3}}"#,
                                           receivedAt: receivedAt)
        #expect(before.state.leadsToday == ["a": 2] && before.state.now == full.now && before.rotationSeqs == ["p": 3])
        #expect(try RotationReplay.leadsToday(usualText) == [:] && RotationReplay.leadsToday(fullText) == ["a": 4])
    }
}
