import Foundation

/// A routing rule. Rules are tried in ascending `priority` (then id); the first enabled rule whose
/// match fits the lead decides, and its `fallback` applies when its action finds nobody available.
public struct Rule: PolicyEntity {
    public static let kind = "rule"
    public static let collection = "rules"
    public static var keyPath: WritableKeyPath<Policy, [Rule]> { \.rules }
    public static let secretField: String? = nil
    public static let idFallback = "rule"

    /// Which leads a rule applies to. Every criterion given must hold; an empty match is a catch-all.
    public struct Match: Codable, Sendable, Equatable {
        /// The lead's `campaign_id` is one of these (exact, trimmed).
        public var campaignIDs: [String]?
        /// The lead has at least one of these tags (trimmed, case-insensitive).
        public var tagsAny: [String]?
        /// The lead has every one of these tags (trimmed, case-insensitive).
        public var tagsAll: [String]?
        /// The lead came from one of these vendors.
        public var vendorIDs: [String]?
        /// Conditions on any lead field, every one of which must hold.
        public var fields: [FieldCondition]?
        /// The rule applies only inside this window of the decision's time.
        public var schedule: Schedule?

        public init(campaignIDs: [String]? = nil, tagsAny: [String]? = nil, tagsAll: [String]? = nil, vendorIDs: [String]? = nil,
                    fields: [FieldCondition]? = nil, schedule: Schedule? = nil) {
            self.campaignIDs = campaignIDs
            self.tagsAny = tagsAny
            self.tagsAll = tagsAll
            self.vendorIDs = vendorIDs
            self.fields = fields
            self.schedule = schedule
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case campaignIDs = "campaign_ids"
            case tagsAny = "tags_any"
            case tagsAll = "tags_all"
            case vendorIDs = "vendor_ids"
            case fields, schedule
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(campaignIDs, forKey: .campaignIDs)
            try container.encodeIfPresent(tagsAny, forKey: .tagsAny)
            try container.encodeIfPresent(tagsAll, forKey: .tagsAll)
            try container.encodeIfPresent(vendorIDs, forKey: .vendorIDs)
            try container.encodeIfPresent(fields, forKey: .fields)
            try container.encodeIfPresent(schedule, forKey: .schedule)
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func list(_ key: CodingKeys) throws -> [String]? {
                guard let values = try container.decodeIfPresent([String].self, forKey: key) else { return nil }
                let trimmed = values.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                if let blank = trimmed.firstIndex(where: \.isEmpty) {
                    throw PolicyError.invalid(PolicyError.path(container.codingPath, key) + "[\(blank)]", "must not be empty")
                }
                return trimmed
            }
            campaignIDs = try list(.campaignIDs)
            tagsAny = try list(.tagsAny)
            tagsAll = try list(.tagsAll)
            vendorIDs = try list(.vendorIDs)
            fields = try container.decodeIfPresent([FieldCondition].self, forKey: .fields)
            schedule = try container.decodeIfPresent(Schedule.self, forKey: .schedule)
        }
    }

    public var id: String
    public var name: String
    public var priority: Int
    public var enabled: Bool
    public var match: Match
    public var action: RuleAction
    public var fallback: RuleAction?

    public init(id: String, name: String, priority: Int, enabled: Bool = true, match: Match = Match(), action: RuleAction, fallback: RuleAction? = nil) {
        self.id = id
        self.name = name
        self.priority = priority
        self.enabled = enabled
        self.match = match
        self.action = action
        self.fallback = fallback
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, priority, enabled, match, action, fallback
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeSlug(forKey: .id, required: true)!
        name = try container.decodeTrimmedString(forKey: .name)!
        priority = try container.decodeWholeNumber(forKey: .priority)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        match = try container.decodeIfPresent(Match.self, forKey: .match) ?? Match()
        action = try container.decode(RuleAction.self, forKey: .action)
        fallback = try container.decodeIfPresent(RuleAction.self, forKey: .fallback)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(priority, forKey: .priority)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(match, forKey: .match)
        try container.encode(action, forKey: .action)
        try container.encodeIfPresent(fallback, forKey: .fallback)
    }

    public func validate(in policy: Policy, context: ValidationContext) throws(PolicyError) {
        try Validation.name(name)
        for (index, vendorID) in (match.vendorIDs ?? []).enumerated() where !context.vendorIDs.contains(vendorID) {
            throw PolicyError(.unknownReference, field: "match.vendor_ids[\(index)]", "no vendor '\(vendorID)'")
        }
        try action.validate(in: policy, field: "action")
        try fallback?.validate(in: policy, field: "fallback")
    }
}
