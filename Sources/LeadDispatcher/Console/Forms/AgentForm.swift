import Foundation
import LeadPolicy
import LeadStore

/// An agent: a Buying Buddy user's own Lead Import key, their weight, cap and whether they take leads.
enum AgentForm: ConsoleEntityForm {
    typealias Entity = Agent
    static let noun = "agent"
    static let section = "/console/agents"

    static func values(_ agent: Agent) -> [String: String] {
        ["id": agent.id, "account_id": agent.accountID, "name": agent.name, "email": agent.email ?? "", "weight": String(agent.weight),
         "daily_cap": agent.dailyCap.map(String.init) ?? "", "active": agent.active ? "true" : "false",
         "away_until": agent.awayUntil.map(Timestamp.string) ?? ""]
            .merging(ScheduleInputs.values(agent.schedule, prefix: "schedule")) { first, _ in first }
    }

    static func defaults(_ policy: Policy) -> [String: String] {
        ["weight": "1", "active": "true", "account_id": policy.accounts.first?.id ?? ""]
    }

    static func fields(_ values: [String: String], creating: Bool, policy: Policy, mask: String?, errors: [String: String]) -> [FormField] {
        idField(values, creating: creating, errors: errors) + [
            FormField("name", "Name", value: values["name"] ?? "", required: true, errors: errors),
            FormField("account_id", "Account", kind: .select(policy.accounts.map { ($0.id, "\($0.name) (\($0.id))") }),
                      value: values["account_id"] ?? "", required: true, errors: errors),
            FormField("email", "Email", kind: .email, value: values["email"] ?? "", hint: "Optional.", errors: errors),
            keyField("api_key", "Their Lead Import API key", creating: creating, mask: mask, errors: errors),
            FormField("weight", "Weight", kind: .number, value: values["weight"] ?? "",
                      hint: "Their share in pools that do not set one: 1 to 1000 (weight 3 gets three leads to weight 1's one).", errors: errors),
            FormField("daily_cap", "Daily cap", kind: .number, value: values["daily_cap"] ?? "",
                      hint: "At most this many leads a day; empty for no limit.", errors: errors),
            FormField("active", "State", kind: .select([("true", "active: takes leads"), ("false", "paused: skipped by pools and rules")]),
                      value: values["active"] ?? "true", errors: errors),
            FormField("away_until", "Away until", value: values["away_until"] ?? "",
                      hint: "RFC 3339, such as 2026-12-28T09:00:00-06:00: skipped until then (a vacation), then back in the rotation "
                        + "with no burst. Empty: not away.", errors: errors),
        ] + ScheduleInputs.fields(values, prefix: "schedule", what: "Working hours", errors: errors)
    }

    static func body(_ form: [String: String], creating: Bool) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if creating { body["id"] = FormBody.text(form, "id", clearing: false) }
        body["name"] = FormBody.text(form, "name", clearing: true)
        body["account_id"] = FormBody.text(form, "account_id", clearing: true)
        body["email"] = FormBody.text(form, "email", clearing: !creating)
        body["api_key"] = FormBody.text(form, "api_key", clearing: false)
        body["weight"] = FormBody.number(form, "weight", clearing: false)
        body["daily_cap"] = FormBody.number(form, "daily_cap", clearing: !creating)
        body["active"] = FormBody.bool(form, "active")
        // Cleared only by a form that has the inputs (every edit page does), never by one that lacks them.
        body["away_until"] = FormBody.text(form, "away_until", clearing: !creating && form["away_until"] != nil)
        body["schedule"] = ScheduleInputs.body(form, prefix: "schedule", clearing: !creating && form["schedule.time_zone"] != nil)
        return body
    }

    /// Whether the agent takes leads now, and if not why: paused, away until a time, or off hours.
    static func stateWords(_ agent: Agent, now: Date) -> String {
        guard agent.active else { return "paused" }
        if let until = agent.awayUntil, now < until { return "away until \(Timestamp.string(until))" }
        if let schedule = agent.schedule, !schedule.contains(now) { return "off hours (works \(ScheduleInputs.words(schedule)))" }
        return "active"
    }

    static func facts(_ agent: Agent, policy: Policy) -> [EntityPage.Fact] {
        let pools = policy.pools.filter { $0.members.contains { $0.agentID == agent.id } }
        return [
            EntityPage.fact("State", stateWords(agent, now: Date())),
            EntityPage.fact("Away until", agent.awayUntil.map(Timestamp.string) ?? "not away"),
            EntityPage.fact("Working hours", agent.schedule.map(ScheduleInputs.words) ?? "any time"),
            EntityPage.fact("Account", policy.account(agent.accountID)?.name ?? agent.accountID, link: AccountForm.page(agent.accountID)),
            EntityPage.fact("In pools", pools.isEmpty ? "none" : pools.map(\.name).joined(separator: ", ")),
            EntityPage.fact("Leads", "their leads", link: "/console/leads?agent_id=\(ConsoleForm.percentEncoded(agent.id))"),
        ]
    }

    static func actions(_ agent: Agent, policy: Policy) -> [EntityPage.Action] {
        [agent.active ? EntityPage.action("\(page(agent.id))/pause", "Pause", note: "Skipped by every pool and direct rule until resumed.")
            : EntityPage.action("\(page(agent.id))/resume", "Resume", note: "Back in the rotation, with no burst of catch-up leads."),
         EntityPage.action("\(page(agent.id))/delete", "Delete this agent", note: "Refused while a pool or rule names them.", danger: true)]
    }
}
