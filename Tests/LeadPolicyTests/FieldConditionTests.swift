import Foundation
import LeadPolicy
import Testing

/// `match.fields`: each op on a lead's fields, documented or not, through the engine, with the words
/// of its explanation; and every malformed condition refused with its path.
@Suite struct FieldConditionTests {
    static func rule(_ conditions: String) throws -> Rule {
        let json = #"{"id":"r","name":"R","priority":1,"match":{"fields":[\#(conditions)]},"action":{"type":"agent","agent_id":"a"}}"#
        return try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)).decode(Rule.self)
    }

    /// The rule's check for a lead with `fields`: nil when it matched, else its reason.
    static func check(_ conditions: String, _ fields: [String: JSONValue]) throws -> String? {
        let policy = Policy(accounts: [RoutingEngineTests.acme], agents: RoutingEngineTests.agents([("a", 1)]), rules: [try rule(conditions)])
        let decision = RoutingEngine.decide(Lead(fields: fields), policy: policy, state: RoutingState()).decision
        return decision.ruleID == "r" ? nil : decision.explanation.rules.first?.reason
    }

    @Test func eachOpMatchesAsDocumented() throws {
        let lead: [String: JSONValue] = ["Zip": .string(" 60601 "), "buyer_status": .string("Ready"), "price": .string("$450,000"),
                                         "rating": .number(4), "city": .string("Chicago")]
        let matching = [
            #"{"field":"zip","op":"equals","value":"60601"}"#, #"{"field":"zip","op":"equals","value":60601}"#,
            #"{"field":"buyer_status","op":"equals","value":" READY "}"#, #"{"field":"city","op":"not_equals","value":"Evanston"}"#,
            #"{"field":"zip","op":"in","value":["60602",60601]}"#, #"{"field":"zip","op":"not_in","value":["53703"]}"#,
            #"{"field":"zip","op":"prefix","value":"606"}"#, #"{"field":"city","op":"contains","value":"CAG"}"#,
            #"{"field":"rating","op":"exists"}"#, #"{"field":"timeframe","op":"missing"}"#,
            #"{"field":"price","op":"gt","value":400000}"#, #"{"field":"price","op":"gte","value":450000}"#,
            #"{"field":"rating","op":"lt","value":5}"#, #"{"field":"rating","op":"lte","value":4}"#,
            #"{"field":"price","op":"between","value":[450000,450000]}"#, #"{"field":"missing_field","op":"not_equals","value":"x"}"#,
        ]
        for condition in matching { #expect(try Self.check(condition, lead) == nil, "\(condition)") }
        let refused: [(String, String)] = [
            (#"{"field":"zip","op":"equals","value":"60602"}"#, "field 'zip' is '60601'; the rule wants it to be '60602'"),
            (#"{"field":"zip","op":"not_in","value":["60601"]}"#, "field 'zip' is '60601'; the rule wants it not to be one of ['60601']"),
            (#"{"field":"timeframe","op":"exists"}"#, "field 'timeframe' is missing; the rule wants it to be present"),
            (#"{"field":"rating","op":"missing"}"#, "field 'rating' is '4'; the rule wants it to be absent"),
            (#"{"field":"price","op":"gt","value":450000}"#, "field 'price' is '$450,000'; the rule wants it to be more than 450000"),
            (#"{"field":"city","op":"lt","value":10}"#, "field 'city' is 'Chicago', not a number; the rule wants it to be less than 10"),
            (#"{"field":"rating","op":"between","value":[4.5,5]}"#, "field 'rating' is '4'; the rule wants it to be between 4.5 and 5"),
            (#"{"field":"city","op":"prefix","value":"Evan"}"#, "field 'city' is 'Chicago'; the rule wants it to start with 'Evan'"),
            // Every condition must hold: the first that does not is the reason.
            (#"{"field":"zip","op":"prefix","value":"606"},{"field":"rating","op":"gte","value":5}"#,
             "field 'rating' is '4'; the rule wants it to be at least 5"),
        ]
        for (condition, reason) in refused { #expect(try Self.check(condition, lead) == reason, "\(condition)") }
        // A blank value is a missing one.
        #expect(try Self.check(#"{"field":"zip","op":"missing"}"#, ["zip": .string("  ")]) == nil)
    }

    @Test func aMatchingRuleSaysWhichFieldsFit() throws {
        let policy = Policy(accounts: [RoutingEngineTests.acme], agents: RoutingEngineTests.agents([("a", 1)]),
                            rules: [try Self.rule(#"{"field":"zip","op":"in","value":["60601","60602"]}"#)])
        let decision = RoutingEngine.decide(Lead(fields: ["zip": .number(60602)]), policy: policy, state: RoutingState()).decision
        #expect(decision.explanation.rules.first?.reason == "field 'zip' is '60602' (wanted to be one of ['60601', '60602'])")
    }

    @Test func everyMalformedConditionIsRefusedNamingItsPath() {
        let cases: [(String, String)] = [
            (#"{"field":"zip","op":"near","value":"60601"}"#, "match.fields[0].op"),
            (#"{"field":"zip","op":"equals"}"#, "match.fields[0].value"),
            (#"{"field":"zip","op":"equals","value":["60601"]}"#, "match.fields[0].value"),
            (#"{"field":"zip","op":"in","value":"60601"}"#, "match.fields[0].value"),
            (#"{"field":"zip","op":"in","value":[]}"#, "match.fields[0].value"),
            (#"{"field":"zip","op":"in","value":["60601",{"a":1}]}"#, "match.fields[0].value[1]"),
            (#"{"field":"zip","op":"exists","value":"x"}"#, "match.fields[0].value"),
            (#"{"field":"price","op":"gt","value":"400000"}"#, "match.fields[0].value"),
            (#"{"field":"price","op":"between","value":[5,1]}"#, "match.fields[0].value"),
            (#"{"field":"price","op":"between","value":[1]}"#, "match.fields[0].value"),
            (#"{"field":" ","op":"exists"}"#, "match.fields[0].field"),
            (#"{"field":"zip","op":"exists","extra":1}"#, "match.fields[0].extra"),
            (#"{"field":"zip","op":"exists"},{"field":"zip","op":"equals","value":""}"#, "match.fields[1].value"),
        ]
        for (conditions, path) in cases {
            #expect(throws: PolicyError.self, "\(conditions)") { _ = try Self.rule(conditions) }
            do {
                _ = try Self.rule(conditions)
            } catch let error as PolicyError {
                #expect(error.field == path, "\(conditions): \(error.message)")
            } catch {
                Issue.record("\(conditions): \(error)")
            }
        }
    }

    /// A rule filed by its `equals` or `in` field is found among a thousand such rules, and a lead whose
    /// field matches none falls through to the catch-all.
    @Test func zipRulesAreFiledAndFound() throws {
        var rules = try (0..<1_000).map { index in
            var rule = try Self.rule(#"{"field":"zip","op":"in","value":["\#(60_000 + 2 * index)","\#(60_001 + 2 * index)"]}"#)
            rule.id = "zip-\(index)"
            rule.priority = index
            return rule
        }
        rules.append(Rule(id: "rest", name: "Rest", priority: 5_000, action: .agent(agentID: "a")))
        let policy = Policy(accounts: [RoutingEngineTests.acme], agents: RoutingEngineTests.agents([("a", 1)]), rules: rules)
        #expect(RoutingEngine.decide(Lead(fields: ["ZIP": .string("61501")]), policy: policy, state: RoutingState()).decision.ruleID == "zip-750")
        let rest = RoutingEngine.decide(Lead(fields: ["zip": .string("99999")]), policy: policy, state: RoutingState()).decision
        #expect(rest.ruleID == "rest")
        #expect(rest.explanation.rules.count == 1_001)
        #expect(rest.explanation.rules[3].reason == "field 'zip' is '99999'; the rule wants it to be one of ['60006', '60007']")
    }
}
