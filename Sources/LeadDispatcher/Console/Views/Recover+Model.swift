import Foundation
import LeadPolicy
import LeadStore

/// `/console/recover`: dead (or unrouted) leads found by a filter, and — after a confirmation step
/// showing how many — redelivered or rerouted in one go.
struct RecoverPage {
    struct Row {
        let leadID: String
        let receivedAt: String
        let status: String
        let target: String
    }

    let chrome: ConsoleChrome
    let fields: [FormField]
    let notice: String?
    let errors: [String]
    let hasErrors: Bool
    /// The confirmation step: the count, a sample, and the button that does it.
    let reviewed: Bool
    let action: String
    let actionLabel: String
    let matched: Int
    let nothing: Bool
    let rerouteCounts: String?
    let sample: [Row]
    let hidden: [EntityPage.Hidden]
    let canAct: Bool

    init(chrome: ConsoleChrome, fields: [FormField], notice: String?, errors: [String], action: LeadRecoveryFilter.Action?,
         result: BulkRecoveryResult?, filter: [String: String], policy: Policy) {
        self.chrome = chrome
        self.fields = fields
        self.notice = notice
        self.errors = errors
        hasErrors = !errors.isEmpty
        reviewed = result != nil
        self.action = action?.rawValue ?? ""
        actionLabel = action == .reroute ? "Reroute" : "Redeliver"
        matched = result?.matched ?? 0
        nothing = result?.matched == 0
        rerouteCounts = action == .reroute ? result.map { "\($0.changed) would go to a target, \($0.unrouted) would still find nobody." } : nil
        sample = (result?.sample ?? []).map { lead in
            Row(leadID: lead.id, receivedAt: lead.receivedAt, status: lead.status.rawValue,
                target: lead.target.map { TargetWords($0, policy: policy).text } ?? "nobody")
        }
        hidden = filter.sorted { $0.key < $1.key }.map { EntityPage.Hidden(name: $0.key, value: $0.value) }
        canAct = chrome.isAdmin && (result?.matched ?? 0) > 0
    }
}
