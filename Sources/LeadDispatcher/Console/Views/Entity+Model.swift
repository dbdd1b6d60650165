import Foundation
import LeadPolicy
import LeadStore

/// The page of one thing an admin sets up — an account, agent, pool, rule, vendor, token or console
/// user — and of a new one: what it is, its form (each error beside its input), the one-click actions
/// on it, a secret shown this once, and for a rule the route preview of a sample lead.
struct EntityPage {
    struct Fact {
        let term: String
        let value: String
        let link: String?
    }

    struct Hidden {
        let name: String
        let value: String
    }

    /// A one-button form (pause, delete, rotate the key, move up…).
    struct Action {
        let path: String
        let label: String
        let note: String
        let danger: Bool
        let hidden: [Hidden]
    }

    struct Form {
        let action: String
        let multipart: Bool
        let fields: [FormField]
        let hidden: [Hidden]
        let submit: String
        /// A rule's form: a second button previews the draft with the sample lead's fields.
        let sample: Sample?
    }

    struct Sample {
        let fields: [FormField]
    }

    /// A secret the service made and shows this once.
    struct Secret {
        let label: String
        let value: String
        let hint: String
    }

    /// What the draft would decide for the sample lead.
    struct Preview {
        let summary: String
        let target: String
        let rules: [LeadPage.RuleRow]
        let steps: [LeadPage.Step]
        let hasSteps: Bool
    }

    let chrome: ConsoleChrome
    let heading: String
    let intro: String
    let notice: String?
    let errors: [String]
    let hasErrors: Bool
    let facts: [Fact]
    let hasFacts: Bool
    let form: Form?
    let actions: [Action]
    let hasActions: Bool
    let secret: Secret?
    let preview: Preview?
    let warnings: [String]
    let hasWarnings: Bool

    init(chrome: ConsoleChrome, heading: String, intro: String = "", notice: String? = nil, errors: [String] = [], facts: [Fact] = [],
         form: Form? = nil, actions: [Action] = [], secret: Secret? = nil, preview: Preview? = nil, warnings: [String] = []) {
        self.chrome = chrome
        self.heading = heading
        self.intro = intro
        self.notice = notice
        self.errors = errors
        hasErrors = !errors.isEmpty
        self.facts = facts
        hasFacts = !facts.isEmpty
        // Auditors see what is set up, never a form that changes it.
        let admin = chrome.isAdmin
        self.form = admin ? form : nil
        self.actions = admin ? actions : []
        hasActions = admin && !actions.isEmpty
        self.secret = secret
        self.preview = preview
        self.warnings = warnings
        hasWarnings = !warnings.isEmpty
    }

    static func fact(_ term: String, _ value: String, link: String? = nil) -> Fact { Fact(term: term, value: value, link: link) }

    static func action(_ path: String, _ label: String, note: String = "", danger: Bool = false, hidden: [Hidden] = []) -> Action {
        Action(path: path, label: label, note: note, danger: danger, hidden: hidden)
    }

    static func preview(_ decision: Decision, policy: Policy) -> Preview {
        let steps = LeadPage.steps(decision, policy: policy)
        return Preview(summary: decision.explanation.summary,
                       target: decision.target.map { TargetWords($0, policy: policy).text } ?? "nobody: no rule found a target",
                       rules: LeadPage.ruleRows(decision, policy: policy), steps: steps, hasSteps: !steps.isEmpty)
    }

    /// The notices a redirect after a change asks for (`?done=saved`): fixed texts, never the query's.
    static func notice(_ request: [String: String]) -> String? {
        switch request["done"] {
        case "created"?: "Created."
        case "saved"?: "Saved."
        case "paused"?: "Paused: the rotation skips this agent until resumed."
        case "resumed"?: "Resumed: this agent is back in the rotation, with no burst of catch-up leads."
        case "moved"?: "Moved. The rules are tried in the order shown."
        case "activated"?: "Activated: the account takes leads again."
        case "deactivated"?: "Deactivated: its CRM Round Robin and its agents take no new leads; rules fall back."
        case "enabled"?: "Enabled."
        case "disabled"?: "Disabled."
        case "deleted"?: "Deleted."
        case "revoked"?: "Revoked: this token no longer opens the API."
        case "again"?: "That form was sent already; this is what it made. Nothing was made twice."
        case "restored"?: "Restored: this version's policy is in force again, as a new version."
        case "imported"?: "Imported: the file's policy is in force, as a new version."
        default: nil
        }
    }
}
