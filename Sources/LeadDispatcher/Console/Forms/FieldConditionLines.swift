import Foundation
import LeadPolicy

/// A rule's field conditions as lines of a textarea, one condition a line, `FIELD OP VALUE`:
///
///     zip in 60601, 60602
///     price between 300000, 500000
///     buyer_status equals Ready
///     rating exists
///
/// Each line becomes the API's `{"field", "op", "value"}`, the value as the op takes it (a list for
/// `in` and `not_in`, numbers for `gt` … `between`), so that the API's validation names what is wrong
/// (`match.fields[2].value`, shown beside the textarea as "condition 3").
enum FieldConditionLines {
    static func text(_ conditions: [FieldCondition]?) -> String {
        (conditions ?? []).map(line).joined(separator: "\n")
    }

    static func line(_ condition: FieldCondition) -> String {
        let value: String
        switch condition.value {
        case .array(let items)?: value = items.compactMap(FieldCondition.text).joined(separator: ", ")
        case let single?: value = FieldCondition.text(single) ?? ""
        case nil: value = ""
        }
        return [condition.field, condition.op.rawValue, value].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The conditions the textarea holds; nil when it is empty (`[]` when editing: it clears them).
    static func body(_ text: String?, clearing: Bool) -> JSONValue? {
        let lines = (text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return clearing ? .array([]) : nil }
        return .array(lines.map(condition))
    }

    static func condition(_ line: String) -> JSONValue {
        let parts = line.split(maxSplits: 2, whereSeparator: \.isWhitespace).map(String.init)
        var object: [String: JSONValue] = ["field": .string(parts[0]), "op": .string(parts.count > 1 ? parts[1].lowercased() : "")]
        guard parts.count > 2 else { return .object(object) }
        let rest = parts[2].trimmingCharacters(in: .whitespaces)
        func scalar(_ text: String) -> JSONValue {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let number = Double(trimmed), number.isFinite { return .number(number) }
            return .string(trimmed)
        }
        switch FieldCondition.Op(rawValue: parts.count > 1 ? parts[1].lowercased() : "") {
        case .in?, .notIn?:
            object["value"] = .array(rest.split(separator: ",", omittingEmptySubsequences: false).map { .string($0.trimmingCharacters(in: .whitespaces)) })
        case .between?:
            object["value"] = .array(rest.split(separator: ",", omittingEmptySubsequences: false).map { scalar(String($0)) })
        case .gt?, .gte?, .lt?, .lte?:
            object["value"] = scalar(rest)
        default:
            object["value"] = .string(rest)
        }
        return .object(object)
    }
}
