import Foundation
import LeadPolicy
import LeadStore

/// A list page — accounts, agents, rules, vendors, tokens, users — as one table: each a caption,
/// column headings and rows of cells (a cell may link, e.g. an agent to its leads, or hold one-click
/// buttons for admins, e.g. pause), with a link to make a new one.
struct ListPage {
    struct Cell {
        let text: String
        let link: String?
        let buttons: [Button]
    }

    /// A one-click form (POST with the form token) that comes back to this list.
    struct Button {
        let path: String
        let label: String
        let returnTo: String
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
    let notice: String?
    /// For admins: where a new one is made, and the link's words.
    let newLink: String?
    let newLabel: String

    init(chrome: ConsoleChrome, heading: String, intro: String, columns: [String], rows: [[Cell]], notice: String? = nil,
         newLink: String? = nil, newLabel: String = "") {
        self.chrome = chrome
        self.heading = heading
        self.intro = intro
        self.columns = columns
        // Auditors see no buttons (their posts are refused anyway).
        self.rows = rows.map { cells in
            Row(cells: cells.map { chrome.isAdmin ? $0 : Cell(text: $0.text, link: $0.link, buttons: []) })
        }
        hasRows = !rows.isEmpty
        self.notice = notice
        self.newLink = chrome.isAdmin ? newLink : nil
        self.newLabel = newLabel
    }

    static func cell(_ text: String, link: String? = nil, buttons: [Button] = []) -> Cell { Cell(text: text, link: link, buttons: buttons) }

    static func accounts(_ stored: StoredPolicy, chrome: ConsoleChrome, notice: String?) -> ListPage {
        let policy = stored.policy
        return ListPage(chrome: chrome, heading: "Accounts", intro: "Each Buying Buddy account and its Admin user's key (shown by its last four characters), which hands a lead to the account's own CRM Round Robin.",
                        columns: ["Account", "Admin key", "Agents", "State", "Leads"],
                        rows: policy.accounts.map { account in
                            [cell("\(account.name) (\(account.id))", link: AccountForm.page(account.id)),
                             cell(stored.secretMasks[SecretOwner(kind: Account.kind, id: account.id)] ?? "—"),
                             cell(String(policy.agents.filter { $0.accountID == account.id }.count)),
                             cell(account.active ? "active" : "inactive"),
                             cell("its leads", link: "/console/leads?account_id=\(ConsoleForm.percentEncoded(account.id))")]
                        }, notice: notice, newLink: "/console/accounts/new", newLabel: "New account")
    }

    static func agents(_ policy: Policy, chrome: ConsoleChrome, notice: String? = nil) -> ListPage {
        ListPage(chrome: chrome, heading: "Agents", intro: "Each agent's own Buying Buddy key is never shown; the leads link finds every lead they got.",
                 columns: ["Agent", "Account", "Weight", "Daily cap", "State", "Leads"],
                 rows: policy.agents.map { agent in
                     [cell("\(agent.name) (\(agent.id))", link: AgentForm.page(agent.id)), cell(policy.account(agent.accountID)?.name ?? agent.accountID),
                      cell(String(agent.weight)), cell(agent.dailyCap.map(String.init) ?? "none"),
                      cell(AgentForm.stateWords(agent, now: Date()), buttons: [pauseButton(agent, returnTo: "/console/agents")]),
                      cell("their leads", link: "/console/leads?agent_id=\(ConsoleForm.percentEncoded(agent.id))")]
                 }, notice: notice, newLink: "/console/agents/new", newLabel: "New agent")
    }

    /// Pause an active agent, resume a paused one: one click, back to `returnTo`.
    static func pauseButton(_ agent: Agent, returnTo: String) -> Button {
        Button(path: "\(AgentForm.page(agent.id))/\(agent.active ? "pause" : "resume")", label: agent.active ? "Pause \(agent.name)" : "Resume \(agent.name)",
               returnTo: returnTo)
    }

    static func rules(_ policy: Policy, chrome: ConsoleChrome, notice: String? = nil) -> ListPage {
        let order = policy.rulesInPriorityOrder
        return ListPage(chrome: chrome, heading: "Rules", intro: "In the order they are tried: ascending priority, then id. The first enabled rule that matches decides.",
                 columns: ["Priority", "Rule", "Matches", "Action", "Fallback", "State", "Leads"],
                 rows: order.enumerated().map { position, rule in
                     var moves: [Button] = []
                     if position > 0 { moves.append(Button(path: "\(RuleForm.page(rule.id))/move-up", label: "Move \(rule.name) up", returnTo: "/console/rules")) }
                     if position < order.count - 1 {
                         moves.append(Button(path: "\(RuleForm.page(rule.id))/move-down", label: "Move \(rule.name) down", returnTo: "/console/rules"))
                     }
                     return [cell(String(rule.priority), buttons: moves), cell("\(rule.name) (\(rule.id))", link: RuleForm.page(rule.id)), cell(matchWords(rule.match)),
                      cell(LeadPage.words(rule.action, policy: policy)),
                      cell(rule.fallback.map { LeadPage.words($0, policy: policy) } ?? "none"),
                      cell(rule.enabled ? "enabled" : "disabled"),
                      cell("its leads", link: "/console/leads?rule_id=\(ConsoleForm.percentEncoded(rule.id))")]
                 }, notice: notice, newLink: "/console/rules/new", newLabel: "New rule")
    }

    /// A rule's match in words: every criterion given must hold.
    static func matchWords(_ match: Rule.Match) -> String {
        var parts: [String] = []
        if let ids = match.campaignIDs, !ids.isEmpty { parts.append("campaign is \(ids.joined(separator: " or "))") }
        if let tags = match.tagsAny, !tags.isEmpty { parts.append("a tag among \(tags.joined(separator: ", "))") }
        if let tags = match.tagsAll, !tags.isEmpty { parts.append("every tag of \(tags.joined(separator: ", "))") }
        if let ids = match.vendorIDs, !ids.isEmpty { parts.append("vendor is \(ids.joined(separator: " or "))") }
        for condition in match.fields ?? [] { parts.append(FieldConditionLines.line(condition)) }
        if let schedule = match.schedule { parts.append("only \(ScheduleInputs.words(schedule))") }
        return parts.isEmpty ? "every lead" : parts.joined(separator: "; and ")
    }

    static func vendors(_ vendors: [VendorView], chrome: ConsoleChrome, notice: String? = nil) -> ListPage {
        ListPage(chrome: chrome, heading: "Vendors", intro: "Who may post leads; each key is shown only when it is made.",
                 columns: ["Vendor", "Key", "Rate limit", "Dedupe window", "Leads"],
                 rows: vendors.map { vendor in
                     [cell("\(vendor.name) (\(vendor.id))", link: "/console/vendors/\(vendor.id)"), cell(vendor.apiKeyMask),
                      cell(vendor.rateLimitPerMinute.map { "\($0) a minute" } ?? "none"),
                      cell(vendor.dedupeWindowMinutes > 0 ? "\(vendor.dedupeWindowMinutes) minutes" : "off"),
                      cell("its leads", link: "/console/leads?vendor_id=\(ConsoleForm.percentEncoded(vendor.id))")]
                 }, notice: notice, newLink: "/console/vendors/new", newLabel: "New vendor")
    }

    static func tokens(_ tokens: [TokenView], chrome: ConsoleChrome, notice: String? = nil) -> ListPage {
        ListPage(chrome: chrome, heading: "API tokens", intro: "Bearer tokens of the REST API; each is shown only when it is made.",
                 columns: ["Token", "Role", "Created", "State"],
                 rows: tokens.map { token in
                     [cell("\(token.name) (\(token.id))", link: "/console/tokens/\(token.id)"), cell(token.role.rawValue), cell(token.createdAt),
                      cell(token.revokedAt.map { "revoked \($0)" } ?? "live")]
                 }, notice: notice, newLink: "/console/tokens/new", newLabel: "New token")
    }

    static func users(_ users: [UserView], chrome: ConsoleChrome, notice: String? = nil) -> ListPage {
        ListPage(chrome: chrome, heading: "Console users", intro: "The people who sign in here.",
                 columns: ["User", "Email", "Role", "Created", "State"],
                 rows: users.map { user in
                     [cell("\(user.name) (\(user.id))", link: "/console/users/\(user.id)"), cell(user.email), cell(user.role.rawValue), cell(user.createdAt),
                      cell(user.disabled ? "disabled" : "enabled")]
                 }, notice: notice, newLink: "/console/users/new", newLabel: "New user")
    }
}
