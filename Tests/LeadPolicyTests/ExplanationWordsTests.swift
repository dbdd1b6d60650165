import Foundation
import Testing

@testable import LeadPolicy

/// Every sentence an explanation can say, as the API and the console serve it: the words live in one
/// file (ExplanationWords.swift), and a lead's explanation is put into words each time it is read, so a
/// changed sentence here changes every stored lead's explanation — these hold them word for word.
struct ExplanationWordsTests {
    @Test func everySummarySaysWhatItAlwaysSaid() {
        let agent = Target.agent(agentID: "a1", accountID: "acme")
        let words: [(Explanation.Summary, String)] = [
            (.noRules, "no rules: the lead is kept unrouted"),
            (.noRuleMatched, "no rule matched: the lead is kept unrouted"),
            (.chose(ruleID: "r", via: "fallback", target: .admin(accountID: "acme"), stepNote: .crmRoundRobin(accountID: "acme")),
             "rule 'r' matched; its fallback chose the Admin key of account 'acme': account 'acme''s Admin key hands the lead to Buying Buddy's CRM Round Robin"),
            (.chose(ruleID: "r", via: "action", target: agent, stepNote: .namedAgent(agentID: "a1")),
             "rule 'r' matched; its action chose agent 'a1': the rule names agent 'a1'"),
            (.nobodyAndNoFallback(ruleID: "r"),
             "rule 'r' matched but its action found nobody available and it has no fallback: the lead is kept unrouted"),
            (.nobodyInActionOrFallback(ruleID: "r"),
             "rule 'r' matched but neither its action nor its fallback found anybody available: the lead is kept unrouted"),
            (.duplicate(of: "ld_1"),
             "a duplicate of lead 'ld_1': the same email and campaign from the same vendor inside its dedupe window; not routed"),
            (.text("as decoded"), "as decoded"),
        ]
        for (summary, sentence) in words { #expect(summary.text == sentence) }
    }

    @Test func everyNoteSaysWhatItAlwaysSaid() {
        let words: [(ActionStep.Note, String)] = [
            (.accountInactive(accountID: "acme"), "account 'acme' is inactive: its CRM Round Robin takes no leads"),
            (.crmRoundRobin(accountID: "acme"), "account 'acme''s Admin key hands the lead to Buying Buddy's CRM Round Robin"),
            (.agentUnavailable(agentID: "a1"), "agent 'a1' is not available"),
            (.namedAgent(agentID: "a1"), "the rule names agent 'a1'"),
            (.noSuchPool(poolID: "p"), "pool 'p' does not exist"),
            (.sticky(agentID: "a1", days: 30), "sticky: the same email went to agent 'a1' within 30 days"),
            (.nobodyInPool(unavailableSticky: nil, poolID: "p"), "no member of pool 'p' is available"),
            (.nobodyInPool(unavailableSticky: "a1", poolID: "p"), "sticky agent 'a1' is not available; no member of pool 'p' is available"),
            (.rotation(unavailableSticky: nil, eligible: 1, poolID: "p", agentID: "a2"),
             "smooth weighted round robin among the 1 eligible member of pool 'p' chose agent 'a2'"),
            (.rotation(unavailableSticky: "a1", eligible: 3, poolID: "p", agentID: "a2"),
             "sticky agent 'a1' is not available; smooth weighted round robin among the 3 eligible members of pool 'p' chose agent 'a2'"),
        ]
        for (note, sentence) in words { #expect(note.text == sentence) }
    }

    @Test func everyRuleReasonSaysWhatItAlwaysSaid() {
        let lead = Lead(vendorID: "zillow", campaignID: "spring", tags: ["Buyer", "VIP"],
                        fields: ["zip": .number(60601), "price": .string("call me"), "City": .string(" Chicago ")])
        // 2026-12-05 16:15 UTC: Saturday 10:15 in Chicago.
        let saturday = Date(timeIntervalSince1970: 1_796_487_300)
        let weekdays = Schedule(timeZone: "America/Chicago", days: [.mon, .tue, .wed, .thu, .fri], from: 9 * 60, until: 17 * 60)
        let words: [(RuleCheck.Because, String)] = [
            (.disabled, "the rule is disabled"),
            (.fits(Rule.Match(), lead, at: saturday), "empty match: the rule takes every lead"),
            (.fits(Rule.Match(campaignIDs: ["spring"], tagsAny: ["vip", "seller"], tagsAll: ["buyer"], vendorIDs: ["zillow"]), lead, at: saturday),
             "campaign_id 'spring' is listed; tag ['vip'] among tags_any; has every tag of ['buyer']; vendor 'zillow' is listed"),
            (.fitsButPassedOver, "the rule fits this lead, yet the engine chose a later one (a fault in the engine)"),
            (.noCampaign(wanted: ["a", "b"]), "the lead has no campaign_id; the rule wants one of ['a', 'b']"),
            (.campaignNotListed("c", wanted: ["a"]), "campaign_id 'c' is not one of ['a']"),
            (.noTagAmong(tagsAny: ["seller"], leadTags: ["Buyer", "VIP"]), "none of the tags ['seller'] is among the lead's ['Buyer', 'VIP']"),
            (.lacksTags(tagsAll: ["buyer", "seller"], leadTags: ["Buyer"]), "the lead lacks the tags ['seller'] of ['buyer', 'seller']"),
            (.vendorNotListed(nil, wanted: []), "vendor 'none' is not one of []"),
            (.vendorNotListed("zillow", wanted: ["realtor"]), "vendor 'zillow' is not one of ['realtor']"),
            (.fits(Rule.Match(fields: [FieldCondition(field: "zip", op: .in, value: .array([.string("60601"), .number(60602)])),
                                        FieldCondition(field: "city", op: .equals, value: .string("chicago")),
                                        FieldCondition(field: "rating", op: .missing)],
                              schedule: Schedule(timeZone: "America/Chicago", days: [.sat], from: 9 * 60, until: 12 * 60)), lead, at: saturday),
             "field 'zip' is '60601' (wanted to be one of ['60601', '60602']); field 'city' is 'Chicago' (wanted to be 'chicago'); "
                + "field 'rating' is missing, as wanted (to be absent); inside schedule: Sat 10:15 America/Chicago"),
            (.fieldMismatch(FieldCondition(field: "zip", op: .notIn, value: .array([.number(60601)])), found: .text("60601")),
             "field 'zip' is '60601'; the rule wants it not to be one of ['60601']"),
            (.fieldMismatch(FieldCondition(field: "rating", op: .exists), found: .missing), "field 'rating' is missing; the rule wants it to be present"),
            (.fieldMismatch(FieldCondition(field: "price", op: .between, value: .array([.number(100_000), .number(250_000.5)])), found: .text("call me")),
             "field 'price' is 'call me', not a number; the rule wants it to be between 100000 and 250000.5"),
            (.fieldMismatch(FieldCondition(field: "price", op: .gt, value: .number(500_000)), found: .text("$450,000")),
             "field 'price' is '$450,000'; the rule wants it to be more than 500000"),
            (.fieldMismatch(FieldCondition(field: "zip", op: .prefix, value: .string("606")), found: .text("53703")),
             "field 'zip' is '53703'; the rule wants it to start with '606'"),
            (.outsideSchedule(weekdays, at: saturday), "outside schedule: Sat 10:15 America/Chicago"),
        ]
        for (reason, sentence) in words { #expect(reason.text == sentence) }
    }

    @Test func everySkipDetailSaysWhatItAlwaysSaid() {
        let words: [(AgentSkip.Detail, String)] = [
            (.noSuchAgent, "no such agent"),
            (.agentInactive, "the agent is inactive"),
            (.accountInactive, "the agent's account is inactive"),
            (.atCap(today: 5, cap: 5), "5 of 5 leads today"),
        ]
        for (detail, sentence) in words { #expect(detail.text == sentence) }
    }
}
