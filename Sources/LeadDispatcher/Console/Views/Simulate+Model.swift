import Foundation
import LeadPolicy
import LeadStore

/// `/console/simulate`: a sample lead routed as of a chosen time, and a backtest of a pending edit of
/// the policy against the last days' leads. Nothing on it changes anything.
struct SimulatePage {
    struct CountRow {
        let target: String
        let recorded: Int
        let draft: Int
        let difference: String
    }

    struct ChangedRow {
        let leadID: String
        let recorded: String
        let draft: String
    }

    struct BacktestView {
        let leads: Int
        let counts: [CountRow]
        let changed: [ChangedRow]
        let hasChanged: Bool
        let changedTotal: Int
        let more: Bool

        init(_ result: Backtest.Result, recordedPolicy: Policy, draft: Policy) {
            leads = result.leads
            func words(_ target: Target?, _ policy: Policy) -> String {
                target.map { TargetWords($0, policy: policy).text } ?? "nobody (unrouted)"
            }
            counts = result.counts.map { count in
                let delta = count.draft - count.recorded
                return CountRow(target: words(count.target, draft), recorded: count.recorded, draft: count.draft,
                                difference: delta == 0 ? "same" : (delta > 0 ? "+\(delta)" : "\(delta)"))
            }
            changed = result.changed.map { ChangedRow(leadID: $0.leadID, recorded: words($0.recorded, recordedPolicy), draft: words($0.draft, draft)) }
            hasChanged = !changed.isEmpty
            changedTotal = result.changedTotal
            more = result.changedTotal > result.changed.count
        }
    }

    let chrome: ConsoleChrome
    let errors: [String]
    let hasErrors: Bool
    let previewForm: EntityPage.Form?
    let preview: EntityPage.Preview?
    let backtestForm: EntityPage.Form?
    let backtest: BacktestView?

    init(chrome: ConsoleChrome, errors: [String] = [], previewForm: EntityPage.Form, preview: EntityPage.Preview? = nil,
         backtestForm: EntityPage.Form, backtest: BacktestView? = nil) {
        self.chrome = chrome
        self.errors = errors
        hasErrors = !errors.isEmpty
        self.previewForm = chrome.isAdmin ? previewForm : nil
        self.preview = preview
        self.backtestForm = chrome.isAdmin ? backtestForm : nil
        self.backtest = backtest
    }
}
