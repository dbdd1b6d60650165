import Foundation
import LeadPolicy

/// A rule: what it matches, where it sends a lead and where when nobody is available there; with a
/// sample lead to preview the rule as the form stands before saving it.
enum RuleForm: ConsoleEntityForm {
    typealias Entity = Rule
    static let noun = "rule"
    static let section = "/console/rules"
    static let previews = true

    static func values(_ rule: Rule) -> [String: String] {
        ["id": rule.id, "name": rule.name, "priority": String(rule.priority), "enabled": rule.enabled ? "true" : "false",
         "match.campaign_ids": FormBody.listText(rule.match.campaignIDs), "match.tags_any": FormBody.listText(rule.match.tagsAny),
         "match.tags_all": FormBody.listText(rule.match.tagsAll), "match.vendor_ids": FormBody.listText(rule.match.vendorIDs),
         "match.fields": FieldConditionLines.text(rule.match.fields),
         "action": choice(rule.action), "fallback": rule.fallback.map(choice) ?? ""]
            .merging(ScheduleInputs.values(rule.match.schedule, prefix: "match.schedule")) { first, _ in first }
    }

    static func defaults(_ policy: Policy) -> [String: String] {
        ["priority": String((policy.rules.map(\.priority).max() ?? 0) + 10), "enabled": "true"]
    }

    /// An action as one choice of a select: `agent:jane`, `pool:buyers`, `crm_round_robin:acme`.
    static func choice(_ action: RuleAction) -> String {
        switch action {
        case .agent(let id): "agent:\(id)"
        case .pool(let id): "pool:\(id)"
        case .crmRoundRobin(let id): "crm_round_robin:\(id)"
        }
    }

    static func choices(_ policy: Policy) -> [(value: String, label: String)] {
        policy.pools.map { ("pool:\($0.id)", "Pool \($0.name) (round robin)") }
            + policy.agents.map { ("agent:\($0.id)", "Agent \($0.name)") }
            + policy.accounts.map { ("crm_round_robin:\($0.id)", "\($0.name)'s CRM Round Robin (the Admin key)") }
    }

    static func fields(_ values: [String: String], creating: Bool, policy: Policy, mask: String?, errors: [String: String]) -> [FormField] {
        let listHint = "Comma-separated; empty matches any."
        return idField(values, creating: creating, errors: errors) + [
            FormField("name", "Name", value: values["name"] ?? "", required: true, errors: errors),
            FormField("priority", "Priority", kind: .number, value: values["priority"] ?? "",
                      hint: "Rules are tried from the lowest priority up; the first enabled rule that matches decides.", required: true, errors: errors),
            FormField("enabled", "State", kind: .select([("true", "enabled"), ("false", "disabled: never tried")]),
                      value: values["enabled"] ?? "true", errors: errors),
            FormField("match.campaign_ids", "Campaign is one of", value: values["match.campaign_ids"] ?? "", hint: listHint, errors: errors),
            FormField("match.tags_any", "Has any of these tags", value: values["match.tags_any"] ?? "", hint: listHint, errors: errors),
            FormField("match.tags_all", "Has all of these tags", value: values["match.tags_all"] ?? "", hint: listHint, errors: errors),
            FormField("match.vendor_ids", "Vendor is one of", value: values["match.vendor_ids"] ?? "", hint: listHint + " Vendor ids.",
                      errors: errors),
            FormField("match.fields", "Field conditions", kind: .textarea, value: values["match.fields"] ?? "",
                      hint: "One a line, FIELD OP VALUE, every one must hold: zip in 60601, 60602 · price between 300000, 500000 · "
                        + "buyer_status equals Ready · rating exists. Ops: equals, not_equals, in, not_in, prefix, contains, exists, missing, "
                        + "gt, gte, lt, lte, between. Any field a vendor sends.", errors: errors),
        ] + ScheduleInputs.fields(values, prefix: "match.schedule", what: "Only when", errors: errors) + [
            FormField("action", "Send the lead to", kind: .select([("", "choose…")] + choices(policy)), value: values["action"] ?? "",
                      required: true, errors: errors),
            FormField("fallback", "When nobody is available there", kind: .select([("", "no fallback: the lead stays unrouted")] + choices(policy)),
                      value: values["fallback"] ?? "", errors: errors),
        ]
    }

    /// The sample lead's inputs (`sample.` + an ingest field name).
    static func sampleFields(_ values: [String: String], vendorIDs: [String], errors: [String: String]) -> [FormField] {
        [FormField("sample.campaign_id", "campaign_id", value: values["sample.campaign_id"] ?? "", errors: errors),
         FormField("sample.tags", "tags", value: values["sample.tags"] ?? "", hint: "Comma-separated.", errors: errors),
         FormField("sample.vendor_id", "Vendor", kind: .select([("", "none")] + vendorIDs.map { ($0, $0) }), value: values["sample.vendor_id"] ?? "",
                   errors: errors),
         FormField("sample.email", "email", kind: .email, value: values["sample.email"] ?? "", hint: "A repeat of an earlier lead's email meets sticky pools.",
                   errors: errors),
         FormField("sample.at", "Decide as of", value: values["sample.at"] ?? "", hint: "RFC 3339 (2026-12-05T09:30:00Z); empty is now.", errors: errors),
         FormField("sample.fields", "Other fields", kind: .textarea, value: values["sample.fields"] ?? "",
                   hint: "One a line, NAME: VALUE, as a vendor would send them: zip: 60601 · price: 450000 · buyer_status: Ready.", errors: errors)]
    }

    /// The sample lead's fields as a route preview's body.
    static func sampleBody(_ form: [String: String]) -> [String: JSONValue] {
        var body: [String: JSONValue] = ["fname": .string("Sample")]
        // Any other field, `name: value` a line (a line without a colon is a field with no value, which
        // the ingest validation names).
        for line in (form["sample.fields"] ?? "").split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty else { continue }
            body[name] = .string(parts.count > 1 ? parts[1] : "")
        }
        for name in ["campaign_id", "tags", "vendor_id", "email", "at"] {
            if let value = FormBody.text(form, "sample." + name, clearing: false) { body[name] = value }
        }
        return body
    }

    static func body(_ form: [String: String], creating: Bool) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if creating { body["id"] = FormBody.text(form, "id", clearing: false) }
        body["name"] = FormBody.text(form, "name", clearing: true)
        body["priority"] = FormBody.number(form, "priority", clearing: true)
        body["enabled"] = FormBody.bool(form, "enabled")
        var match: [String: JSONValue] = [:]
        for name in ["campaign_ids", "tags_any", "tags_all", "vendor_ids"] {
            match[name] = FormBody.list(form, "match." + name, clearing: false)
        }
        // The whole match is replaced: what the form leaves empty is no condition.
        match["fields"] = FieldConditionLines.body(form["match.fields"], clearing: false)
        match["schedule"] = ScheduleInputs.body(form, prefix: "match.schedule", clearing: false)
        body["match"] = .object(match)
        body["action"] = action(form["action"]) ?? .null
        body["fallback"] = action(form["fallback"]) ?? (creating ? nil : .null)
        return body
    }

    /// `pool:buyers` as the API's action object; an unknown kind is passed on for the API to name.
    static func action(_ choice: String?) -> JSONValue? {
        guard let choice, !choice.isEmpty else { return nil }
        let parts = choice.split(separator: ":", maxSplits: 1).map(String.init)
        let key = switch parts[0] {
        case "agent": "agent_id"
        case "pool": "pool_id"
        default: "account_id"
        }
        return .object(["type": .string(parts[0]), key: .string(parts.count > 1 ? parts[1] : "")])
    }

    static func facts(_ rule: Rule, policy: Policy) -> [EntityPage.Fact] {
        let order = policy.rulesInPriorityOrder.firstIndex { $0.id == rule.id }.map { $0 + 1 } ?? 0
        return [EntityPage.fact("Tried", "\(order) of \(policy.rules.count)", link: section),
                EntityPage.fact("Matches", ListPage.matchWords(rule.match)),
                EntityPage.fact("Leads", "the leads it decided", link: "/console/leads?rule_id=\(ConsoleForm.percentEncoded(rule.id))")]
    }

    static func actions(_ rule: Rule, policy: Policy) -> [EntityPage.Action] {
        let order = policy.rulesInPriorityOrder.map(\.id)
        var actions = [rule.enabled ? EntityPage.action("\(page(rule.id))/disable", "Disable", note: "Never tried until enabled again.")
            : EntityPage.action("\(page(rule.id))/enable", "Enable")]
        if order.first != rule.id { actions.append(EntityPage.action("\(page(rule.id))/move-up", "Move up")) }
        if order.last != rule.id { actions.append(EntityPage.action("\(page(rule.id))/move-down", "Move down")) }
        actions.append(EntityPage.action("\(page(rule.id))/delete", "Delete this rule", danger: true))
        return actions
    }
}
