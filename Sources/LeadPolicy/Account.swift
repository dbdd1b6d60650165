import Foundation

/// A Buying Buddy account. Its Admin user's Lead Import key (kept by the store, never here) hands a
/// lead to the account's own CRM Round Robin.
public struct Account: PolicyEntity {
    public static let kind = "account"
    public static let collection = "accounts"
    public static var keyPath: WritableKeyPath<Policy, [Account]> { \.accounts }
    public static let secretField: String? = "admin_api_key"
    public static let idFallback = "account"

    public var id: String
    public var name: String
    /// Where this account's leads are delivered, when not the service's `crmUrl`.
    public var crmURL: String?
    /// An inactive account takes no new leads: its CRM Round Robin finds nobody (a rule's fallback
    /// applies) and its agents are skipped as inactive agents are. Leads already decided still go.
    public var active: Bool

    public init(id: String, name: String, crmURL: String? = nil, active: Bool = true) {
        self.id = id
        self.name = name
        self.crmURL = crmURL
        self.active = active
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name
        case crmURL = "crm_url"
        case active
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeSlug(forKey: .id, required: true)!
        name = try container.decodeTrimmedString(forKey: .name)!
        crmURL = try container.decodeTrimmedString(forKey: .crmURL, required: false)
        active = try container.decodeIfPresent(Bool.self, forKey: .active) ?? true
    }

    public func validate(in policy: Policy, context: ValidationContext) throws(PolicyError) {
        try Validation.name(name)
        if let crmURL, let problem = CRMURL.problem(crmURL) {
            throw .invalid("crm_url", problem)
        }
    }
}
