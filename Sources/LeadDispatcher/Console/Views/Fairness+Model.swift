import Foundation
import LeadPolicy
import LeadStore

/// `/console/fairness`: per agent (and per Admin key), the leads received against the leads its
/// weights entitled it to, over a period and, with `pool_id`, for one pool; skips by reason. Drawn as
/// an SVG bar chart on the server — each bar labelled with its number, so colour is never the only
/// signal — with the same numbers in a table beside it.
struct FairnessPage {
    struct Row {
        let who: String
        let received: Int
        let expected: String
        let eligible: Int
        let share: String
        let skips: String
    }

    struct Bar {
        let label: String
        let y: Int
        let labelY: Int
        let receivedWidth: Int
        let receivedY: Int
        let receivedText: String
        let receivedTextX: Int
        let expectedWidth: Int
        let expectedY: Int
        let expectedText: String
        let expectedTextX: Int
    }

    struct PoolOption {
        let id: String
        let name: String
        let selected: Bool
    }

    let chrome: ConsoleChrome
    let since: String
    let until: String
    let pools: [PoolOption]
    let message: String?
    let rows: [Row]
    let hasRows: Bool
    let bars: [Bar]
    let chartHeight: Int
    let chartTitle: String

    static let labelWidth = 200
    static let barSpace = 380

    init(chrome: ConsoleChrome, parameters: [String: String], policy: Policy, items: [DistributionTally.Item], message: String?) {
        self.chrome = chrome
        since = parameters["since"] ?? ""
        until = parameters["until"] ?? ""
        pools = policy.pools.map { PoolOption(id: $0.id, name: $0.name, selected: parameters["pool_id"] == $0.id) }
        self.message = message
        func who(_ target: Target) -> String { TargetWords(target, policy: policy).text }
        rows = items.map { item in
            Row(who: who(item.target), received: item.received, expected: String(format: "%.1f", item.expected), eligible: item.eligible,
                share: String(format: "%.1f %%", item.entitledShare * 100),
                skips: item.skips.isEmpty ? "none" : item.skips.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")) \($0.value)" }.joined(separator: ", "))
        }
        hasRows = !rows.isEmpty
        let largest = max(1, items.map { max(Double($0.received), $0.expected) }.max() ?? 1)
        bars = items.enumerated().map { index, item in
            let top = 10 + index * 44
            let received = Int((Double(item.received) / largest * Double(Self.barSpace)).rounded())
            let expected = Int((item.expected / largest * Double(Self.barSpace)).rounded())
            return Bar(label: who(item.target), y: top, labelY: top + 22, receivedWidth: received, receivedY: top + 2,
                       receivedText: "received \(item.received)", receivedTextX: Self.labelWidth + received + 6,
                       expectedWidth: expected, expectedY: top + 20, expectedText: String(format: "expected %.1f", item.expected),
                       expectedTextX: Self.labelWidth + expected + 6)
        }
        chartHeight = 20 + items.count * 44
        chartTitle = "Leads received against leads expected by weight, per agent"
    }
}
