import Foundation

// Every sentence of a decision's explanation is written in this file, and nowhere else.
//
// The engine records what it found as codes with their values: why a rule took the lead or not
// (`RuleCheck.Because`), what an action or fallback did (`ActionStep.Note`), why an agent was passed
// over (`AgentSkip.Detail`) and how the decision sums up (`Explanation.Summary`). They are put into
// words only when read: a lead's decision is decided again from its record whenever it is shown
// (ARCHITECTURE.md, "How a decision is kept"), so no stored row holds a sentence, and a simulation
// over thousands of leads never spends time writing the sentences it does not show. Each code's `.text`
// case holds words decoded from JSON as they were written (a decision stored before decisions were
// decided again on read, compared word for word when `v8-decisions-rederived` converts it).

extension Explanation {
    /// How a decision sums up.
    enum Summary: Sendable {
        case text(String)
        case noRules
        case noRuleMatched
        /// The rule matched and its action (or fallback) found `target`; the summary ends with the note
        /// of the step that found it.
        case chose(ruleID: String, via: String, target: Target, stepNote: ActionStep.Note)
        case nobodyAndNoFallback(ruleID: String)
        case nobodyInActionOrFallback(ruleID: String)
        case duplicate(of: String)

        var text: String {
            switch self {
            case .text(let text):
                text
            case .noRules:
                "no rules: the lead is kept unrouted"
            case .noRuleMatched:
                "no rule matched: the lead is kept unrouted"
            case .chose(let ruleID, let via, let target, let stepNote):
                "rule '\(ruleID)' matched; its \(via) chose \(Self.describe(target)): \(stepNote.text)"
            case .nobodyAndNoFallback(let ruleID):
                "rule '\(ruleID)' matched but its action found nobody available and it has no fallback: the lead is kept unrouted"
            case .nobodyInActionOrFallback(let ruleID):
                "rule '\(ruleID)' matched but neither its action nor its fallback found anybody available: the lead is kept unrouted"
            case .duplicate(let first):
                "a duplicate of lead '\(first)': the same email and campaign from the same vendor inside its dedupe window; not routed"
            }
        }

        static func describe(_ target: Target) -> String {
            switch target {
            case .agent(let agentID, _): "agent '\(agentID)'"
            case .admin(let accountID): "the Admin key of account '\(accountID)'"
            }
        }
    }
}

extension ActionStep {
    /// What an action or a fallback did.
    enum Note: Sendable {
        case text(String)
        case accountInactive(accountID: String)
        case crmRoundRobin(accountID: String)
        case agentUnavailable(agentID: String)
        case namedAgent(agentID: String)
        case noSuchPool(poolID: String)
        /// A sticky pool gave the lead to the agent the same email went to within `days`.
        case sticky(agentID: String, days: Int)
        /// Nobody in the pool could take the lead, after the sticky agent (if named) could not either.
        case nobodyInPool(unavailableSticky: String?, poolID: String)
        /// A pool's round robin chose `agentID` among `eligible` members, after the sticky agent (if
        /// named) turned out not to be available.
        case rotation(unavailableSticky: String?, eligible: Int, poolID: String, agentID: String)

        var text: String {
            switch self {
            case .text(let text):
                text
            case .accountInactive(let accountID):
                "account '\(accountID)' is inactive: its CRM Round Robin takes no leads"
            case .crmRoundRobin(let accountID):
                "account '\(accountID)''s Admin key hands the lead to Buying Buddy's CRM Round Robin"
            case .agentUnavailable(let agentID):
                "agent '\(agentID)' is not available"
            case .namedAgent(let agentID):
                "the rule names agent '\(agentID)'"
            case .noSuchPool(let poolID):
                "pool '\(poolID)' does not exist"
            case .sticky(let agentID, let days):
                "sticky: the same email went to agent '\(agentID)' within \(days) days"
            case .nobodyInPool(let unavailableSticky, let poolID):
                Self.unavailable(sticky: unavailableSticky) + "no member of pool '\(poolID)' is available"
            case .rotation(let unavailableSticky, let eligible, let poolID, let agentID):
                // Names only how many were eligible (their weights are in `eligible`): spelling them out
                // doubled every lead's explanation.
                Self.unavailable(sticky: unavailableSticky)
                    + "smooth weighted round robin among \(eligible == 1 ? "the 1 eligible member" : "the \(eligible) eligible members")"
                    + " of pool '\(poolID)' chose agent '\(agentID)'"
            }
        }

        /// How a pool's note begins when the sticky agent could not take the lead.
        private static func unavailable(sticky agentID: String?) -> String {
            agentID.map { "sticky agent '\($0)' is not available; " } ?? ""
        }
    }
}

extension RuleCheck {
    /// Why a rule took a lead or not: what was compared.
    enum Because: Sendable {
        case text(String)
        case disabled
        /// The rule fits `lead`, decided at the time given: says which of its conditions the lead meets.
        case fits(Rule.Match, Lead, at: Date)
        /// The policy index passed over a rule that fits: a fault in the index, said rather than hidden.
        case fitsButPassedOver
        case noCampaign(wanted: [String])
        case campaignNotListed(String, wanted: [String])
        case noTagAmong(tagsAny: [String], leadTags: [String])
        case lacksTags(tagsAll: [String], leadTags: [String])
        case vendorNotListed(String?, wanted: [String])
        case fieldMismatch(FieldCondition, found: FieldCondition.Found)
        case outsideSchedule(Schedule, at: Date)

        var text: String {
            switch self {
            case .text(let text):
                return text
            case .disabled:
                return "the rule is disabled"
            case .fits(let match, let lead, let at):
                return Self.fit(match, lead, at: at)
            case .fitsButPassedOver:
                return "the rule fits this lead, yet the engine chose a later one (a fault in the engine)"
            case .noCampaign(let wanted):
                return "the lead has no campaign_id; the rule wants one of \(Self.list(wanted))"
            case .campaignNotListed(let campaignID, let wanted):
                return "campaign_id '\(campaignID)' is not one of \(Self.list(wanted))"
            case .noTagAmong(let tagsAny, let leadTags):
                return "none of the tags \(Self.list(tagsAny)) is among the lead's \(Self.list(leadTags))"
            case .lacksTags(let tagsAll, let leadTags):
                let tags = Set(leadTags.map { $0.lowercased() })
                return "the lead lacks the tags \(Self.list(tagsAll.filter { !tags.contains($0.lowercased()) })) of \(Self.list(tagsAll))"
            case .vendorNotListed(let vendorID, let wanted):
                return "vendor '\(vendorID ?? "none")' is not one of \(Self.list(wanted))"
            case .fieldMismatch(let condition, .missing):
                return "field '\(condition.field)' is missing; the rule wants it \(Self.wanted(condition))"
            case .fieldMismatch(let condition, .text(let text)) where condition.isNumeric && FieldCondition.number(text) == nil:
                return "field '\(condition.field)' is '\(text)', not a number; the rule wants it \(Self.wanted(condition))"
            case .fieldMismatch(let condition, .text(let text)):
                return "field '\(condition.field)' is '\(text)'; the rule wants it \(Self.wanted(condition))"
            case .outsideSchedule(let schedule, let at):
                return "outside schedule: \(schedule.describe(at))"
            }
        }

        /// What a field condition wants, after "the rule wants it".
        static func wanted(_ condition: FieldCondition) -> String {
            let value = condition.value.flatMap(FieldCondition.text) ?? ""
            let values: [String]
            if case .array(let items)? = condition.value { values = items.compactMap(FieldCondition.text) } else { values = [] }
            let bounds = condition.bounds
            func number(_ value: Double?) -> String { value.map { FieldCondition.text(.number($0))! } ?? "" }
            switch condition.op {
            case .equals: return "to be '\(value)'"
            case .notEquals: return "not to be '\(value)'"
            case .in: return "to be one of \(list(values))"
            case .notIn: return "not to be one of \(list(values))"
            case .prefix: return "to start with '\(value)'"
            case .contains: return "to contain '\(value)'"
            case .exists: return "to be present"
            case .missing: return "to be absent"
            case .gt: return "to be more than \(number(bounds.low))"
            case .gte: return "to be at least \(number(bounds.low))"
            case .lt: return "to be less than \(number(bounds.high))"
            case .lte: return "to be at most \(number(bounds.high))"
            case .between: return "to be between \(number(bounds.low)) and \(number(bounds.high))"
            }
        }

        private static func fit(_ match: Rule.Match, _ lead: Lead, at: Date) -> String {
            var parts: [String] = []
            if let campaignIDs = match.campaignIDs, !campaignIDs.isEmpty, let campaignID = lead.campaignID {
                parts.append("campaign_id '\(campaignID)' is listed")
            }
            if let tagsAny = match.tagsAny, !tagsAny.isEmpty {
                let tags = lead.loweredTags
                parts.append("tag \(list(tagsAny.filter { tags.contains($0.lowercased()) })) among tags_any")
            }
            if let tagsAll = match.tagsAll, !tagsAll.isEmpty {
                parts.append("has every tag of \(list(tagsAll))")
            }
            if let vendorIDs = match.vendorIDs, !vendorIDs.isEmpty, let vendorID = lead.vendorID {
                parts.append("vendor '\(vendorID)' is listed")
            }
            for condition in match.fields ?? [] {
                switch condition.found(in: lead) {
                case .missing: parts.append("field '\(condition.field)' is missing, as wanted (\(wanted(condition)))")
                case .text(let text): parts.append("field '\(condition.field)' is '\(text)' (wanted \(wanted(condition)))")
                }
            }
            if let schedule = match.schedule {
                parts.append("inside schedule: \(schedule.describe(at))")
            }
            return parts.isEmpty ? "empty match: the rule takes every lead" : parts.joined(separator: "; ")
        }

        /// `['a', 'b']`.
        private static func list(_ values: [String]) -> String {
            "[" + values.map { "'\($0)'" }.joined(separator: ", ") + "]"
        }
    }
}

extension AgentSkip {
    /// Why an agent was passed over, beyond the reason's code.
    enum Detail: Sendable {
        case text(String)
        case noSuchAgent
        case agentInactive
        case accountInactive
        case atCap(today: Int, cap: Int)
        case away(until: Date)
        case offHours(Schedule, at: Date)

        var text: String {
            switch self {
            case .text(let text): text
            case .noSuchAgent: "no such agent"
            case .agentInactive: "the agent is inactive"
            case .accountInactive: "the agent's account is inactive"
            case .atCap(let today, let cap): "\(today) of \(cap) leads today"
            case .away(let until): "away until \(StateTime.string(until))"
            case .offHours(let schedule, let at): "off hours: \(schedule.describe(at))"
            }
        }
    }
}
