import Foundation

/// A deliberately loose plausibility check: enough to catch a phone number or a name typed into the
/// email field, never so strict that a real address is refused.
public enum EmailAddress {
    public static func isPlausible(_ candidate: String) -> Bool {
        guard candidate.utf8.count <= 254, !candidate.contains(where: { $0.isWhitespace }) else { return false }
        let parts = candidate.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }
    }
}
