import Foundation

/// A deliberately loose plausibility check: enough to catch a phone number or a name typed into the
/// email field, never so strict that a real address is refused.
public enum EmailAddress {
    /// One `@` with a local part of 1 to 64 characters before it, a domain of two or more dot-separated
    /// labels after it (none empty, none starting or ending with `-`), no white space, 254 bytes at most.
    ///
    /// Read as UTF-8 bytes: `@`, `.` and `-` are ASCII, so no grapheme breaking is needed except to
    /// count a long local part's characters. Every lead with an email passes through here.
    public static func isPlausible(_ candidate: String) -> Bool {
        var candidate = candidate
        return candidate.withUTF8 { bytes in
            guard bytes.count <= 254 else { return false }
            var at: Int?
            for (offset, byte) in bytes.enumerated() {
                switch byte {
                case UInt8(ascii: "@"):
                    guard at == nil else { return false }
                    at = offset
                case 0x09...0x0D, 0x20:
                    return false
                default:
                    break
                }
            }
            guard let at, at > 0 else { return false }
            // Non-ASCII white space (U+0085, U+00A0, U+2028, …), only when there are non-ASCII bytes.
            if bytes.contains(where: { $0 >= 0x80 }),
               String(decoding: bytes, as: UTF8.self).unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
                return false
            }
            if at > 64, String(decoding: bytes[..<at], as: UTF8.self).count > 64 { return false }
            let domain = bytes[(at + 1)...]
            var labels = 0
            var labelStart = domain.startIndex
            for index in domain.startIndex...domain.endIndex where index == domain.endIndex || domain[index] == UInt8(ascii: ".") {
                let label = domain[labelStart..<index]
                guard let first = label.first, let last = label.last,
                      first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
                labels += 1
                labelStart = index + 1
            }
            return labels >= 2
        }
    }
}
