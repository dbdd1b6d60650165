import Foundation

/// Entity ids: `[a-z0-9][a-z0-9_-]{0,63}`, chosen by the client or derived from the entity's name.
public enum Slug {
    public static let requirement = "must be a slug: 1 to 64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"

    public static func isValid(_ candidate: String) -> Bool {
        let bytes = Array(candidate.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func isAlnum(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard isAlnum(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { isAlnum($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// A readable id for a new entity: the name folded to a slug (`"Jane O'Neil"` → `jane-o-neil`),
    /// made unique with a numeric suffix; `fallback` when the name has no usable characters.
    public static func make(from name: String, fallback: String, taken: Set<String>) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var slug = ""
        for scalar in folded.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.isEmpty { slug = fallback }
        slug = String(slug.prefix(56))
        while slug.hasSuffix("-") { slug.removeLast() }
        if !taken.contains(slug) { return slug }
        var counter = 2
        while taken.contains("\(slug)-\(counter)") { counter += 1 }
        return "\(slug)-\(counter)"
    }
}
