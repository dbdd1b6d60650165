import Foundation
import LeadPolicy
import LeadStore

/// A read-only list page — agents, rules, vendors, tokens, users — as one table: each a caption,
/// column headings and rows of cells (a cell may link, e.g. an agent to its leads).
struct ListPage {
    struct Cell {
        let text: String
        let link: String?
    }

    struct Row {
        let cells: [Cell]
    }

    let chrome: ConsoleChrome
    let heading: String
    let intro: String
    let columns: [String]
    let rows: [Row]
    let hasRows: Bool

    init(chrome: ConsoleChrome, heading: String, intro: String, columns: [String], rows: [[Cell]]) {
        self.chrome = chrome
        self.heading = heading
        self.intro = intro
        self.columns = columns
        self.rows = rows.map(Row.init(cells:))
        hasRows = !rows.isEmpty
    }

    static func cell(_ text: String, link: String? = nil) -> Cell { Cell(text: text, link: link) }

    static func agents(_ policy: Policy, chrome: ConsoleChrome) -> ListPage {
        ListPage(chrome: chrome, heading: "Agents", intro: "Each agent's own Buying Buddy key is never shown; the leads link finds every lead they got.",
                 columns: ["Agent", "Account", "Weight", "Daily cap", "State", "Leads"],
                 rows: policy.agents.map { agent in
                     [cell("\(agent.name) (\(agent.id))"), cell(policy.account(agent.accountID)?.name ?? agent.accountID),
                      cell(String(agent.weight)), cell(agent.dailyCap.map(String.init) ?? "none"),
                      cell(agent.active ? "active" : "paused"),
                      cell("their leads", link: "/console/leads?agent_id=\(ConsoleForm.percentEncoded(agent.id))")]
                 })
    }

    static func rules(_ policy: Policy, chrome: ConsoleChrome) -> ListPage {
        ListPage(chrome: chrome, heading: "Rules", intro: "In the order they are tried: ascending priority, then id. The first enabled rule that matches decides.",
                 columns: ["Priority", "Rule", "Matches", "Action", "Fallback", "State", "Leads"],
                 rows: policy.rulesInPriorityOrder.map { rule in
                     [cell(String(rule.priority)), cell("\(rule.name) (\(rule.id))"), cell(matchWords(rule.match)),
                      cell(LeadPage.words(rule.action, policy: policy)),
                      cell(rule.fallback.map { LeadPage.words($0, policy: policy) } ?? "none"),
                      cell(rule.enabled ? "enabled" : "disabled"),
                      cell("its leads", link: "/console/leads?rule_id=\(ConsoleForm.percentEncoded(rule.id))")]
                 })
    }

    /// A rule's match in words: every criterion given must hold.
    static func matchWords(_ match: Rule.Match) -> String {
        var parts: [String] = []
        if let ids = match.campaignIDs, !ids.isEmpty { parts.append("campaign is \(ids.joined(separator: " or "))") }
        if let tags = match.tagsAny, !tags.isEmpty { parts.append("a tag among \(tags.joined(separator: ", "))") }
        if let tags = match.tagsAll, !tags.isEmpty { parts.append("every tag of \(tags.joined(separator: ", "))") }
        if let ids = match.vendorIDs, !ids.isEmpty { parts.append("vendor is \(ids.joined(separator: " or "))") }
        return parts.isEmpty ? "every lead" : parts.joined(separator: "; and ")
    }

    static func vendors(_ vendors: [VendorView], chrome: ConsoleChrome) -> ListPage {
        ListPage(chrome: chrome, heading: "Vendors", intro: "Who may post leads; each key is shown only when it is made.",
                 columns: ["Vendor", "Key", "Rate limit", "Dedupe window", "Leads"],
                 rows: vendors.map { vendor in
                     [cell("\(vendor.name) (\(vendor.id))"), cell(vendor.apiKeyMask),
                      cell(vendor.rateLimitPerMinute.map { "\($0) a minute" } ?? "none"),
                      cell(vendor.dedupeWindowMinutes > 0 ? "\(vendor.dedupeWindowMinutes) minutes" : "off"),
                      cell("its leads", link: "/console/leads?vendor_id=\(ConsoleForm.percentEncoded(vendor.id))")]
                 })
    }

    static func tokens(_ tokens: [TokenView], chrome: ConsoleChrome) -> ListPage {
        ListPage(chrome: chrome, heading: "API tokens", intro: "Bearer tokens of the REST API; each is shown only when it is made.",
                 columns: ["Token", "Role", "Created", "State"],
                 rows: tokens.map { token in
                     [cell("\(token.name) (\(token.id))"), cell(token.role.rawValue), cell(token.createdAt),
                      cell(token.revokedAt.map { "revoked \($0)" } ?? "live")]
                 })
    }

    static func users(_ users: [UserView], chrome: ConsoleChrome) -> ListPage {
        ListPage(chrome: chrome, heading: "Console users", intro: "The people who sign in here.",
                 columns: ["User", "Email", "Role", "Created", "State"],
                 rows: users.map { user in
                     [cell("\(user.name) (\(user.id))"), cell(user.email), cell(user.role.rawValue), cell(user.createdAt),
                      cell(user.disabled ? "disabled" : "enabled")]
                 })
    }
}
