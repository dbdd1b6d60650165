import Foundation

/// What a person-given name (of an account, agent, pool, rule, vendor or token) may be: what people
/// read in lists, logs, CSV exports and the console, so nothing there can be blank or break a line.
public enum EntityName {
    public static let maxLength = 200

    /// The name trimmed of white space at both ends; throws, naming `field`, when that leaves it empty,
    /// too long, or holding a control character (a line break, a tab, `\u{2}`, …).
    @discardableResult
    public static func check(_ name: String, field: String) throws(PolicyError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid(field, "must not be empty") }
        guard trimmed.count <= maxLength else { throw .invalid(field, "must be at most \(maxLength) characters") }
        guard trimmed == name else { throw .invalid(field, "must not start or end with white space") }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            throw .invalid(field, "must not contain control characters or line breaks")
        }
        return trimmed
    }
}
