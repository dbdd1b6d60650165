import Foundation
import LeadPolicy
import LeadStore

/// `/console/leads/{id}`: who got the lead, when, and why — rule by rule, agent by agent — and every
/// delivery attempt.
struct LeadPage {
    struct Field {
        let name: String
        let value: String
    }

    struct RuleRow {
        let ruleID: String
        let name: String
        let priority: Int
        let result: String
        let matched: Bool
        let reason: String
    }

    struct Skip {
        let agent: String
        let reason: String
        let detail: String
    }

    struct Step {
        let via: String
        let action: String
        let target: String
        let note: String
        let skipped: [Skip]
        let hasSkipped: Bool
        /// For a pool: who could take the lead, with weights; nil otherwise.
        let eligible: String?
    }

    struct Attempt {
        let at: String
        let httpStatus: String
        let crmSuccess: String
        let error: String
        let durationMS: Int
        let detail: String
    }

    struct Event {
        let at: String
        let type: String
        let actor: String
    }

    let chrome: ConsoleChrome
    let id: String
    let receivedAt: String
    let status: String
    let vendorID: String
    let target: String
    let rule: String
    let summary: String
    let policyVersion: String
    let policyVersionLink: String?
    let fields: [Field]
    let rules: [RuleRow]
    let steps: [Step]
    let hasSteps: Bool
    let attempts: [Attempt]
    let hasAttempts: Bool
    let events: [Event]
    let hasEvents: Bool

    /// The page for the lead the API shows as `view` (the same typed view), with names from `policy`.
    init(chrome: ConsoleChrome, lead view: LeadDetailView, policy: Policy, events: [AuditEvent]) {
        self.chrome = chrome
        id = view.item.leadID
        receivedAt = view.item.receivedAt
        status = view.item.status.rawValue
        vendorID = view.item.vendorID
        target = view.item.target.map { TargetWords($0, policy: policy).text } ?? "nobody: no rule found a target"
        rule = view.decision.ruleID.map { id in policy.rule(id).map { "\($0.name) (\(id))" } ?? id } ?? "none matched"
        summary = view.decision.explanation.summary
        policyVersion = view.policyVersion.map(String.init) ?? "—"
        policyVersionLink = view.policyVersion.map { "/console/versions/\($0)" }
        fields = view.fields.sorted { $0.key < $1.key }.map { Field(name: $0.key, value: Self.text($0.value)) }
        rules = Self.ruleRows(view.decision, policy: policy)
        steps = Self.steps(view.decision, policy: policy)
        hasSteps = !steps.isEmpty
        attempts = view.attempts.map { attempt in
            Attempt(at: attempt.at, httpStatus: attempt.httpStatus.map(String.init) ?? "—",
                    crmSuccess: attempt.crmSuccess.map { $0 ? "yes" : "no" } ?? "—", error: attempt.error ?? "—",
                    durationMS: attempt.durationMS, detail: attempt.detail ?? attempt.responseBody ?? "")
        }
        hasAttempts = !attempts.isEmpty
        self.events = events.map { Event(at: $0.at, type: $0.type, actor: $0.actor.name) }
        hasEvents = !self.events.isEmpty
    }

    /// Each rule tried, in order, and why it matched or not.
    static func ruleRows(_ decision: Decision, policy: Policy) -> [RuleRow] {
        decision.explanation.rules.map { check in
            RuleRow(ruleID: check.ruleID, name: policy.rule(check.ruleID)?.name ?? "", priority: check.priority,
                    result: check.result.rawValue.replacingOccurrences(of: "_", with: " "), matched: check.result == .matched,
                    reason: check.reason)
        }
    }

    /// The action (and fallback) the matching rule took, agent by agent.
    static func steps(_ decision: Decision, policy: Policy) -> [Step] {
        decision.explanation.steps.map { step in
            Step(via: step.via, action: Self.words(step.action, policy: policy),
                 target: step.target.map { TargetWords($0, policy: policy).text } ?? "nobody available",
                 note: step.note,
                 skipped: step.skipped.map { skip in
                     Skip(agent: policy.agent(skip.agentID).map { "\($0.name) (\(skip.agentID))" } ?? skip.agentID,
                          reason: skip.reason.rawValue.replacingOccurrences(of: "_", with: " "), detail: skip.detail)
                 },
                 hasSkipped: !step.skipped.isEmpty,
                 eligible: step.eligible.flatMap { list in
                     list.isEmpty ? nil : list.map { "\($0.agentID) (weight \($0.weight))" }.joined(separator: ", ")
                 })
        }
    }

    /// A rule's action in words.
    static func words(_ action: RuleAction, policy: Policy) -> String {
        switch action {
        case .agent(let agentID): "agent \(policy.agent(agentID)?.name ?? agentID)"
        case .pool(let poolID): "pool \(policy.pool(poolID)?.name ?? poolID) (round robin)"
        case .crmRoundRobin(let accountID): "\(policy.account(accountID)?.name ?? accountID)'s CRM Round Robin"
        }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .array(let items): items.map(text).joined(separator: ", ")
        case .bool(let flag): flag ? "true" : "false"
        case .null: ""
        case .object: "{…}"
        }
    }
}
