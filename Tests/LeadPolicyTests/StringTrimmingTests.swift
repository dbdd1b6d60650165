import Foundation
import LeadPolicy
import Testing

/// `trimmingWhitespace` replaces Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` on the
/// lead path: emails, campaign ids, tags and names must be trimmed exactly as before.
@Suite struct StringTrimmingTests {
    /// Every scalar Foundation treats as white space or a newline, and some it does not.
    static let scalars: [Unicode.Scalar] = (0...0x3100).compactMap { Unicode.Scalar($0) } + ["\u{FEFF}", "\u{1F600}"]

    @Test func agreesWithFoundationForEveryScalarAtEitherEnd() {
        for scalar in Self.scalars {
            let s = String(scalar)
            for text in [s, s + "a" + s, "a" + s, s + "a", s + s + "b c" + s, "\(s)é\u{301}\(s)"] {
                #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines),
                        "U+\(String(scalar.value, radix: 16))")
            }
        }
    }

    @Test func keepsInnerSpaceAndLeavesCleanStringsAlone() {
        #expect("  Ada Lovelace \n".trimmingWhitespace == "Ada Lovelace")
        #expect("\u{00A0}\u{3000}tag\u{2029}".trimmingWhitespace == "tag")
        #expect(" \t\r\n ".trimmingWhitespace == "")
        #expect("".trimmingWhitespace == "")
        #expect("ada@example.com".trimmingWhitespace == "ada@example.com")
    }
}
