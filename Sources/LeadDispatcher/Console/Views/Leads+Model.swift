import Foundation
import LeadPolicy
import LeadStore

/// Who a target is, in words a person reads: an agent by name and id, or an account's Admin key.
struct TargetWords {
    let text: String
    let agentID: String?
    let accountID: String

    init(_ target: Target, policy: Policy) {
        accountID = target.accountID
        switch target {
        case .agent(let agentID, let accountID):
            self.agentID = agentID
            let name = policy.agent(agentID)?.name
            let account = policy.account(accountID)?.name ?? accountID
            text = name.map { "\($0) (\(agentID)), \(account)" } ?? "agent \(agentID) (no longer in the policy), \(account)"
        case .admin(let accountID):
            agentID = nil
            let name = policy.account(accountID)?.name ?? accountID
            text = "\(name)'s Admin key (Buying Buddy's CRM Round Robin)"
        }
    }
}

/// `/console/leads`: the audit search, with the API's filter names kept in the query string, so that
/// a search can be bookmarked and shared.
struct LeadsPage {
    struct Filter {
        let name: String
        let label: String
        let value: String
        let type: String
    }

    struct StatusOption {
        let value: String
        let selected: Bool
    }

    struct Row {
        let id: String
        let receivedAt: String
        let email: String
        let campaign: String
        let tags: String
        let rule: String
        let target: String
        let status: String
        let attempts: Int
    }

    let chrome: ConsoleChrome
    let filters: [Filter]
    let statusOptions: [StatusOption]
    let message: String?
    let notices: [String]
    let rows: [Row]
    let hasRows: Bool
    let nextPage: String?
    let csvLink: String

    static let filterNames: [(name: String, label: String, type: String)] = [
        ("email", "Email", "text"), ("agent_id", "Agent id", "text"), ("account_id", "Account id", "text"),
        ("campaign_id", "Campaign id", "text"), ("rule_id", "Rule id", "text"), ("vendor_id", "Vendor id", "text"),
        ("since", "Since (RFC 3339)", "text"), ("until", "Until (RFC 3339)", "text"),
    ]

    init(chrome: ConsoleChrome, parameters: [String: String], message: String?, notices: [String], leads: [LeadSummary],
         nextCursor: String?, policy: Policy) {
        self.chrome = chrome
        filters = Self.filterNames.map { Filter(name: $0.name, label: $0.label, value: parameters[$0.name] ?? "", type: $0.type) }
        statusOptions = LeadStatus.allCases.map { StatusOption(value: $0.rawValue, selected: parameters["status"] == $0.rawValue) }
        self.message = message
        self.notices = notices
        rows = leads.map(LeadItemView.init).map { lead in
            Row(id: lead.leadID, receivedAt: lead.receivedAt, email: lead.email ?? "", campaign: lead.campaignID ?? "",
                tags: lead.tags.joined(separator: ", "), rule: lead.ruleID ?? "—",
                target: lead.target.map { TargetWords($0, policy: policy).text } ?? "nobody (unrouted)", status: lead.status.rawValue,
                attempts: lead.attempts)
        }
        hasRows = !rows.isEmpty
        var filtersOnly = parameters
        filtersOnly["cursor"] = nil
        filtersOnly["limit"] = nil
        nextPage = nextCursor.map { "/console/leads?" + Self.query(filtersOnly.merging(["cursor": $0]) { $1 }) }
        csvLink = "/console/leads.csv" + (filtersOnly.isEmpty ? "" : "?" + Self.query(filtersOnly))
    }

    /// `a=1&b=2`, sorted, each value percent-encoded.
    static func query(_ parameters: [String: String]) -> String {
        parameters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\(ConsoleForm.percentEncoded($0.value))" }.joined(separator: "&")
    }
}
