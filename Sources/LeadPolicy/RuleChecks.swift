import Foundation

/// The rules a decision tried, in the order tried, each with its result and reason.
///
/// Made by the engine, the list is the policy's own rules in priority order (shared, not copied),
/// how many of them were tried, the matched rule's check and the lead they were tried against: the
/// engine finds the first rule that fits through the policy index without looking at the others one
/// by one, and each check of a rule that did not fit is made (its reason put into words) only when
/// read. The checks are the same as a walk through every rule would have made, because the index
/// leaves out only rules that cannot fit the lead. Decoded or built from checks, it holds them as given.
public struct RuleChecks: Sendable {
    private enum Storage: Sendable {
        case checks([RuleCheck])
                // The matched rule's check is made when read too: kept as a `RuleCheck`, its reason's words
        // (the match and the lead) made every decision's explanation several hundred bytes to copy.
        case tried(rules: [Rule], count: Int, lastMatched: Bool, lead: Lead, at: Date)
    }

    private let storage: Storage

    public init(_ checks: [RuleCheck]) {
        storage = .checks(checks)
    }

    /// The first `count` of `rules` tried against `lead` at `at`; with `lastMatched`, the last of them matched.
    init(rules: [Rule], count: Int, lastMatched: Bool, lead: Lead, at: Date) {
        storage = .tried(rules: rules, count: count, lastMatched: lastMatched, lead: lead, at: at)
    }

    /// The check of a rule that did not take the lead.
    static func check(_ rule: Rule, against lead: Lead, at: Date) -> RuleCheck {
        guard rule.enabled else {
            return RuleCheck(ruleID: rule.id, priority: rule.priority, result: .disabled, because: .disabled)
        }
        // The index only passes over rules with a mismatch; a fit here would be a fault in it, and the
        // words say so rather than invent a reason.
        let reason = RuleMatcher.mismatch(rule.match, lead, at: at) ?? .fitsButPassedOver
        return RuleCheck(ruleID: rule.id, priority: rule.priority, result: .notMatched, because: reason)
    }
}

extension RuleChecks: RandomAccessCollection {
    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .checks(let checks): checks.count
        case .tried(_, let count, _, _, _): count
        }
    }

    public subscript(position: Int) -> RuleCheck {
        switch storage {
        case .checks(let checks):
            return checks[position]
        case .tried(let rules, let count, let lastMatched, let lead, let at):
            precondition(position < count, "index out of range")
            let rule = rules[position]
            if position == count - 1, lastMatched {
                return RuleCheck(ruleID: rule.id, priority: rule.priority, result: .matched, because: .fits(rule.match, lead, at: at))
            }
            return Self.check(rule, against: lead, at: at)
        }
    }
}

extension RuleChecks: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: RuleCheck...) {
        self.init(elements)
    }
}

extension RuleChecks: Equatable {
    public static func == (lhs: RuleChecks, rhs: RuleChecks) -> Bool {
        lhs.elementsEqual(rhs)
    }
}

extension RuleChecks: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try [RuleCheck](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try Array(self).encode(to: encoder)
    }
}
