import Foundation

/// One condition of a rule's `match.fields` on any lead field, documented or not (`buyer_status`,
/// `zip`, `price`): `{"field": "zip", "op": "in", "value": ["60601", "60602"]}`. Strings compare trimmed
/// and case-insensitively; `gt`, `gte`, `lt`, `lte` and `between` compare the field as a number.
public struct FieldCondition: Sendable, Equatable {
    public enum Op: String, Sendable, CaseIterable, Codable {
        case equals
        case notEquals = "not_equals"
        case `in`
        case notIn = "not_in"
        case prefix
        case contains
        case exists
        case missing
        case gt
        case gte
        case lt
        case lte
        case between
    }

    /// The field's name as written in the policy; looked up as the lead has it, then case-insensitively.
    public var field: String
    public var op: Op
    /// As given: a string or number (`equals`, `not_equals`, `prefix`, `contains`), a non-empty array of
    /// them (`in`, `not_in`), a number (`gt`, `gte`, `lt`, `lte`), `[low, high]` (`between`), or nil.
    public var value: JSONValue?

    public init(field: String, op: Op, value: JSONValue? = nil) {
        self.field = field
        self.op = op
        self.value = value
    }

    /// The value as text compares (lowered), for `equals`, `not_equals`, `prefix`, `contains`.
    var loweredText: String { value.flatMap(Self.text)?.lowercased() ?? "" }
    /// The values as text compares (lowered), for `in` and `not_in`.
    var loweredTexts: [String] {
        guard case .array(let values)? = value else { return [] }
        return values.compactMap(Self.text).map { $0.lowercased() }
    }

    /// The bounds a numeric op compares with: `(low, high)`, either open.
    var bounds: (low: Double?, lowInclusive: Bool, high: Double?, highInclusive: Bool) {
        switch (op, value) {
        case (.gt, .number(let n)?): (n, false, nil, false)
        case (.gte, .number(let n)?): (n, true, nil, false)
        case (.lt, .number(let n)?): (nil, false, n, false)
        case (.lte, .number(let n)?): (nil, false, n, true)
        case (.between, .array(let pair)?):
            if pair.count == 2, case .number(let low) = pair[0], case .number(let high) = pair[1] { (low, true, high, true) } else { (nil, false, nil, false) }
        default: (nil, false, nil, false)
        }
    }

    /// What the lead holds in the condition's field.
    public enum Found: Sendable, Equatable {
        case missing
        case text(String)
    }

    /// Whether `found` meets the condition.
    func holds(for found: Found) -> Bool {
        guard case .text(let text) = found else {
            return op == .missing || op == .notEquals || op == .notIn
        }
        let lowered = text.lowercased()
        switch op {
        case .equals: return lowered == loweredText
        case .notEquals: return lowered != loweredText
        case .in: return loweredTexts.contains(lowered)
        case .notIn: return !loweredTexts.contains(lowered)
        case .prefix: return lowered.hasPrefix(loweredText)
        case .contains: return lowered.contains(loweredText)
        case .exists: return true
        case .missing: return false
        case .gt, .gte, .lt, .lte, .between:
            guard let number = Self.number(text) else { return false }
            let bounds = bounds
            if let low = bounds.low, bounds.lowInclusive ? number < low : number <= low { return false }
            if let high = bounds.high, bounds.highInclusive ? number > high : number >= high { return false }
            return true
        }
    }

    /// Compares numbers.
    var isNumeric: Bool { [.gt, .gte, .lt, .lte, .between].contains(op) }

    /// The field's value in `lead`: looked up by its name as written, then case-insensitively; a value
    /// that is null, or blank once trimmed, is missing.
    func found(in lead: Lead) -> Found {
        guard let value = lead.field(named: field), let text = Self.text(value) else { return .missing }
        return .text(text)
    }

    /// A field value as text: a string trimmed, a number as JSON writes it (`60601`, `2.5`), a boolean as
    /// `true` or `false`; nil for null, blank text, arrays and objects.
    public static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string):
            let trimmed = string.trimmingWhitespace
            return trimmed.isEmpty ? nil : trimmed
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let bool):
            return bool ? "true" : "false"
        case .null, .array, .object:
            return nil
        }
    }

    /// A field's text as a number: plain decimal, with an optional leading `$` and `,` between digits
    /// (`$450,000`); nil for anything else.
    static func number(_ text: String) -> Double? {
        var digits = Substring(text)
        if digits.first == "$" { digits = digits.dropFirst() }
        let plain = digits.replacingOccurrences(of: ",", with: "")
        guard !plain.isEmpty, plain.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }),
              let number = Double(plain), number.isFinite else { return nil }
        return number
    }
}

extension FieldCondition: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case field, op, value
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        field = try container.decodeTrimmedString(forKey: .field)!
        let opText = try container.decode(String.self, forKey: .op)
        guard let op = Op(rawValue: opText) else {
            throw PolicyError.invalid(PolicyError.path(container.codingPath, CodingKeys.op),
                                      "'\(opText)' is not an op; use one of \(Op.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.op = op
        let value = try container.decodeIfPresent(JSONValue.self, forKey: .value)
        let path = PolicyError.path(container.codingPath, CodingKeys.value)
        func scalar(_ value: JSONValue?) -> Bool {
            switch value {
            case .string(let text)?: !text.trimmingWhitespace.isEmpty
            case .number?: true
            default: false
            }
        }
        switch op {
        case .equals, .notEquals, .prefix, .contains:
            guard scalar(value) else { throw PolicyError.invalid(path, "must be a string or a number that is not blank") }
        case .in, .notIn:
            guard case .array(let values)? = value else { throw PolicyError.invalid(path, "must be an array of strings or numbers") }
            guard !values.isEmpty else { throw PolicyError.invalid(path, "must not be empty") }
            if let bad = values.firstIndex(where: { !scalar($0) }) {
                throw PolicyError.invalid(path + "[\(bad)]", "must be a string or a number that is not blank")
            }
        case .exists, .missing:
            guard value == nil || value == .null else { throw PolicyError.invalid(path, "must be left out: '\(op.rawValue)' takes no value") }
        case .gt, .gte, .lt, .lte:
            guard case .number? = value else { throw PolicyError.invalid(path, "must be a number") }
        case .between:
            guard case .array(let pair)? = value, pair.count == 2, case .number(let low) = pair[0], case .number(let high) = pair[1] else {
                throw PolicyError.invalid(path, "must be [low, high], two numbers")
            }
            guard low <= high else { throw PolicyError.invalid(path, "low (\(Self.text(.number(low))!)) must not be above high (\(Self.text(.number(high))!))") }
        }
        self.value = value == .null ? nil : value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        try container.encode(op, forKey: .op)
        try container.encodeIfPresent(value, forKey: .value)
    }
}

extension Lead {
    /// The value of the field `name`, as the lead has it or else with any case (`Zip` for `zip`).
    public func field(named name: String) -> JSONValue? {
        if let value = fields[name] { return value }
        return fields.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
