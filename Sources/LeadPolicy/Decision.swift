import Foundation

/// What the engine decided for one lead, and why.
public struct Decision: Sendable, Equatable, Codable {
    /// The rule that matched; nil when none did.
    public var ruleID: String?
    /// `action` or `fallback`: which of the rule's two found the target; nil without a target.
    public var via: String?
    /// The key to deliver with; nil leaves the lead `unrouted`.
    public var target: Target?
    public var explanation: Explanation

    public init(ruleID: String?, via: String?, target: Target?, explanation: Explanation) {
        self.ruleID = ruleID
        self.via = via
        self.target = target
        self.explanation = explanation
    }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id"
        case via, target, explanation
    }
}

/// The engine's reasoning: every rule tried and why it matched or not, every agent considered and why
/// it was skipped, and one sentence that sums it up.
public struct Explanation: Sendable {
    /// The sentence that sums it up, put into words when read (ExplanationWords.swift).
    public var summary: String {
        get { summarySentence.text }
        set { summarySentence = .text(newValue) }
    }
    var summarySentence: Summary
    public var rules: RuleChecks
    public var steps: [ActionStep]

    public init(summary: String, rules: RuleChecks, steps: [ActionStep]) {
        self.init(summary: .text(summary), rules: rules, steps: steps)
    }

    public init(summary: String, rules: [RuleCheck], steps: [ActionStep]) {
        self.init(summary: summary, rules: RuleChecks(rules), steps: steps)
    }

    init(summary: Summary, rules: RuleChecks, steps: [ActionStep]) {
        self.summarySentence = summary
        self.rules = rules
        self.steps = steps
    }

    /// The explanation of a lead kept as a duplicate of `first`: never routed.
    public static func duplicate(of first: String) -> Explanation {
        Explanation(summary: .duplicate(of: first), rules: [], steps: [])
    }
}

extension Explanation: Equatable {
    /// The same words, however each was kept.
    public static func == (lhs: Explanation, rhs: Explanation) -> Bool {
        lhs.summary == rhs.summary && lhs.rules == rhs.rules && lhs.steps == rhs.steps
    }
}

extension Explanation: Codable {
    enum CodingKeys: String, CodingKey {
        case summary, rules, steps
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(summary: try container.decode(String.self, forKey: .summary), rules: try container.decode(RuleChecks.self, forKey: .rules),
                  steps: try container.decode([ActionStep].self, forKey: .steps))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(summary, forKey: .summary)
        try container.encode(rules, forKey: .rules)
        try container.encode(steps, forKey: .steps)
    }
}

/// One rule tried.
public struct RuleCheck: Sendable, Equatable, Codable {
    public enum Result: String, Sendable, Codable {
        case matched
        case notMatched = "not_matched"
        case disabled
    }

    public var ruleID: String
    public var priority: Int
    public var result: Result
    /// Why, in words. A check keeps what it compared and says it in words only when read
    /// (ExplanationWords.swift): a policy of a hundred rules spent most of a decision writing
    /// sentences, which a simulation over thousands of leads never reads.
    public var reason: String {
        get { because.text }
        set { because = .text(newValue) }
    }
    var because: Because

    public init(ruleID: String, priority: Int, result: Result, reason: String) {
        self.init(ruleID: ruleID, priority: priority, result: result, because: .text(reason))
    }

    init(ruleID: String, priority: Int, result: Result, because: Because) {
        self.ruleID = ruleID
        self.priority = priority
        self.result = result
        self.because = because
    }

    public static func == (lhs: RuleCheck, rhs: RuleCheck) -> Bool {
        lhs.ruleID == rhs.ruleID && lhs.priority == rhs.priority && lhs.result == rhs.result && lhs.reason == rhs.reason
    }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id"
        case priority, result, reason
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(ruleID: try container.decode(String.self, forKey: .ruleID), priority: try container.decode(Int.self, forKey: .priority),
                  result: try container.decode(Result.self, forKey: .result), reason: try container.decode(String.self, forKey: .reason))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ruleID, forKey: .ruleID)
        try container.encode(priority, forKey: .priority)
        try container.encode(result, forKey: .result)
        try container.encode(reason, forKey: .reason)
    }
}

/// The matched rule's action, or its fallback, carried out.
public struct ActionStep: Sendable {
    /// `action` or `fallback`.
    public var via: String
    public var action: RuleAction
    /// Who it found; nil when nobody was available.
    public var target: Target?
    /// Agents considered and passed over, with the reason.
    public var skipped: [AgentSkip]
    /// For a pool: the members that could take the lead, with their weights (what the rotation chose among).
    public var eligible: EligibleAgents?
    /// For a pool: true when the target is the agent a repeat email went to before.
    public var sticky: Bool?
    /// What the step did, in words (put into words when read, ExplanationWords.swift).
    public var note: String {
        get { noteSentence.text }
        set { noteSentence = .text(newValue) }
    }
    var noteSentence: Note

    public init(via: String, action: RuleAction, target: Target?, skipped: [AgentSkip], eligible: EligibleAgents? = nil,
                sticky: Bool? = nil, note: String) {
        self.init(via: via, action: action, target: target, skipped: skipped, eligible: eligible, sticky: sticky, note: .text(note))
    }

    init(via: String, action: RuleAction, target: Target?, skipped: [AgentSkip], eligible: EligibleAgents? = nil,
         sticky: Bool? = nil, note: Note) {
        self.via = via
        self.action = action
        self.target = target
        self.skipped = skipped
        self.eligible = eligible
        self.sticky = sticky
        self.noteSentence = note
    }
}

extension ActionStep: Equatable {
    /// The same step in the same words, however its note was kept.
    public static func == (lhs: ActionStep, rhs: ActionStep) -> Bool {
        lhs.via == rhs.via && lhs.action == rhs.action && lhs.target == rhs.target && lhs.skipped == rhs.skipped
            && lhs.eligible == rhs.eligible && lhs.sticky == rhs.sticky && lhs.note == rhs.note
    }
}

extension ActionStep: Codable {
    enum CodingKeys: String, CodingKey {
        case via, action, target, skipped, eligible, sticky, note
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(via: try container.decode(String.self, forKey: .via), action: try container.decode(RuleAction.self, forKey: .action),
                  target: try container.decodeIfPresent(Target.self, forKey: .target),
                  skipped: try container.decode([AgentSkip].self, forKey: .skipped),
                  eligible: try container.decodeIfPresent(EligibleAgents.self, forKey: .eligible),
                  sticky: try container.decodeIfPresent(Bool.self, forKey: .sticky), note: try container.decode(String.self, forKey: .note))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(via, forKey: .via)
        try container.encode(action, forKey: .action)
        try container.encodeIfPresent(target, forKey: .target)
        try container.encode(skipped, forKey: .skipped)
        try container.encodeIfPresent(eligible, forKey: .eligible)
        try container.encodeIfPresent(sticky, forKey: .sticky)
        try container.encode(note, forKey: .note)
    }
}

/// A pool member that could take the lead, and its weight there.
public struct EligibleAgent: Sendable, Equatable, Codable {
    public var agentID: String
    public var weight: Int

    public init(agentID: String, weight: Int) {
        self.agentID = agentID
        self.weight = weight
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case weight
    }
}

/// An agent passed over.
public struct AgentSkip: Sendable, Equatable, Codable {
    public enum Reason: String, Sendable, Codable {
        case inactive
        case atCap = "at_cap"
        case unknownAgent = "unknown_agent"
        case offHours = "off_hours"
        case away
    }

    public var agentID: String
    public var reason: Reason
    /// The reason in words, with its figures (put into words when read, ExplanationWords.swift).
    public var detail: String {
        get { because.text }
        set { because = .text(newValue) }
    }
    var because: Detail

    public init(agentID: String, reason: Reason, detail: String) {
        self.init(agentID: agentID, reason: reason, because: .text(detail))
    }

    init(agentID: String, reason: Reason, because: Detail) {
        self.agentID = agentID
        self.reason = reason
        self.because = because
    }

    /// The same skip in the same words, however its detail was kept.
    public static func == (lhs: AgentSkip, rhs: AgentSkip) -> Bool {
        lhs.agentID == rhs.agentID && lhs.reason == rhs.reason && lhs.detail == rhs.detail
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case reason, detail
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(agentID: try container.decode(String.self, forKey: .agentID), reason: try container.decode(Reason.self, forKey: .reason),
                  detail: try container.decode(String.self, forKey: .detail))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agentID, forKey: .agentID)
        try container.encode(reason, forKey: .reason)
        try container.encode(detail, forKey: .detail)
    }
}
