import Foundation

/// A Buying Buddy user who can receive leads on their own Lead Import key (kept by the store).
public struct Agent: PolicyEntity {
    public static let kind = "agent"
    public static let collection = "agents"
    public static var keyPath: WritableKeyPath<Policy, [Agent]> { \.agents }
    public static let secretField: String? = "api_key"
    public static let idFallback = "agent"
    public static let weightRange = 1...1000

    public var id: String
    public var accountID: String
    public var name: String
    public var email: String?
    /// The agent's share in pools that do not set a weight of their own.
    public var weight: Int
    /// At most this many leads a day (pools skip the agent, a direct rule falls back); nil is no limit.
    public var dailyCap: Int?
    /// An inactive agent is skipped by every pool and by direct rules (their fallback applies).
    public var active: Bool
    /// When the agent takes leads; outside it they are skipped (`off_hours`) like a paused agent.
    public var schedule: Schedule?
    /// Skipped (`away`) until this moment, then back in the rotation with no burst, like a pause.
    public var awayUntil: Date?

    public init(id: String, accountID: String, name: String, email: String? = nil, weight: Int = 1, dailyCap: Int? = nil, active: Bool = true,
                schedule: Schedule? = nil, awayUntil: Date? = nil) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.email = email
        self.weight = weight
        self.dailyCap = dailyCap
        self.active = active
        self.schedule = schedule
        self.awayUntil = awayUntil
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id
        case accountID = "account_id"
        case name, email, weight
        case dailyCap = "daily_cap"
        case active, schedule
        case awayUntil = "away_until"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeSlug(forKey: .id, required: true)!
        accountID = try container.decode(String.self, forKey: .accountID)
        name = try container.decodeTrimmedString(forKey: .name)!
        email = try container.decodeTrimmedString(forKey: .email, required: false)
        weight = try container.decodeWholeNumberIfPresent(forKey: .weight) ?? 1
        dailyCap = try container.decodeWholeNumberIfPresent(forKey: .dailyCap)
        active = try container.decodeIfPresent(Bool.self, forKey: .active) ?? true
        schedule = try container.decodeIfPresent(Schedule.self, forKey: .schedule)
        if let text = try container.decodeIfPresent(String.self, forKey: .awayUntil) {
            guard let date = StateTime.date(text.trimmingWhitespace) else {
                throw PolicyError.invalid(PolicyError.path(container.codingPath, CodingKeys.awayUntil),
                                          "'\(text)' is not an RFC 3339 time such as 2026-12-24T09:00:00Z")
            }
            awayUntil = date
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(accountID, forKey: .accountID)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encode(weight, forKey: .weight)
        try container.encodeIfPresent(dailyCap, forKey: .dailyCap)
        try container.encode(active, forKey: .active)
        try container.encodeIfPresent(schedule, forKey: .schedule)
        try container.encodeIfPresent(awayUntil.map(StateTime.string), forKey: .awayUntil)
    }

    public func validate(in policy: Policy, context: ValidationContext) throws(PolicyError) {
        try Validation.name(name)
        guard policy.account(accountID) != nil else {
            throw PolicyError(.unknownReference, field: "account_id", "no account '\(accountID)'")
        }
        if let email, !EmailAddress.isPlausible(email) {
            throw .invalid("email", "is not a plausible email address")
        }
        try Validation.weight(weight, field: "weight")
        if let dailyCap, dailyCap < 0 {
            throw .invalid("daily_cap", "must be 0 or more")
        }
    }
}
