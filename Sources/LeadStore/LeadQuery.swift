import Foundation
import LeadPolicy

/// Which leads to list: every filter of the audit API, newest first, one page at a time.
public struct LeadQuery: Sendable {
    /// Compared case-insensitively.
    public var email: String?
    public var agentID: String?
    public var accountID: String?
    public var campaignID: String?
    public var ruleID: String?
    public var vendorID: String?
    public var status: LeadStatus?
    /// Exactly these leads (bulk recovery names leads this way); nil is no restriction.
    public var leadIDs: [String]?
    /// `since` inclusive, `until` exclusive, on the time received.
    public var since: Date?
    public var until: Date?
    public var limit: Int
    /// The page after this position (from the previous page's last lead).
    public var after: LeadCursor?

    public init(email: String? = nil, agentID: String? = nil, accountID: String? = nil, campaignID: String? = nil,
                ruleID: String? = nil, vendorID: String? = nil, status: LeadStatus? = nil, since: Date? = nil,
                until: Date? = nil, limit: Int = 50, after: LeadCursor? = nil, leadIDs: [String]? = nil) {
        self.email = email
        self.agentID = agentID
        self.accountID = accountID
        self.campaignID = campaignID
        self.ruleID = ruleID
        self.vendorID = vendorID
        self.status = status
        self.since = since
        self.until = until
        self.limit = limit
        self.after = after
        self.leadIDs = leadIDs
    }
}

/// A position in the newest-first order of leads: (time received, id). A lead that arrives later sorts
/// before every cursor already handed out, so paging never repeats or skips a lead.
public struct LeadCursor: Sendable, Equatable {
    public var receivedAt: String
    public var id: String

    public init(receivedAt: String, id: String) {
        self.receivedAt = receivedAt
        self.id = id
    }

    /// Opaque to clients: base64url of the two parts.
    public var token: String {
        Data("\(receivedAt)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, Timestamp.parse(parts[0]) != nil, parts[1].hasPrefix("ld_") else { return nil }
        self.init(receivedAt: parts[0], id: parts[1])
    }
}

/// A lead as the audit list shows it.
public struct LeadSummary: Sendable, Equatable {
    public var id: String
    public var receivedAt: String
    public var vendorID: String
    public var email: String?
    public var campaignID: String?
    public var tags: [String]
    public var ruleID: String?
    public var target: Target?
    public var status: LeadStatus
    public var attempts: Int
    public var updatedAt: String
    public var policyVersion: Int?

    public var cursor: LeadCursor { LeadCursor(receivedAt: receivedAt, id: id) }

    package init(id: String, receivedAt: String, vendorID: String, email: String? = nil, campaignID: String? = nil, tags: [String], ruleID: String? = nil, target: Target? = nil, status: LeadStatus, attempts: Int, updatedAt: String, policyVersion: Int? = nil) {
        self.id = id
        self.receivedAt = receivedAt
        self.vendorID = vendorID
        self.email = email
        self.campaignID = campaignID
        self.tags = tags
        self.ruleID = ruleID
        self.target = target
        self.status = status
        self.attempts = attempts
        self.updatedAt = updatedAt
        self.policyVersion = policyVersion
    }
}

extension LeadQuery {
    /// The filters that are one column equal to one value, as every store writes them (the email
    /// trimmed and lower-cased, as stored).
    package var equalityFilters: [(column: String, value: String)] {
        [("email", email?.trimmingCharacters(in: .whitespaces).lowercased()), ("target_agent_id", agentID), ("target_account_id", accountID),
         ("campaign_id", campaignID), ("rule_id", ruleID), ("vendor_id", vendorID)]
            .compactMap { column, value in value.map { (column, $0) } }
    }
}
