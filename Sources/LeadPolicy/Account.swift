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

    public init(id: String, name: String, crmURL: String? = nil) {
        self.id = id
        self.name = name
        self.crmURL = crmURL
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name
        case crmURL = "crm_url"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeSlug(forKey: .id, required: true)!
        name = try container.decodeTrimmedString(forKey: .name)!
        crmURL = try container.decodeTrimmedString(forKey: .crmURL, required: false)
    }

    public func validate(in policy: Policy, context: ValidationContext) throws(PolicyError) {
        try Validation.name(name)
        if let crmURL, let problem = CRMURL.problem(crmURL) {
            throw .invalid("crm_url", problem)
        }
    }
}
