import LeadPolicy
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: ["jane@example.com", "j.doe+leads@mail.example.co.uk", "x@a.io", "jöns@exämple.de",
                      String(repeating: "é", count: 64) + "@example.com"])
    func acceptsPlausibleAddresses(_ address: String) {
        #expect(EmailAddress.isPlausible(address))
    }

    @Test(arguments: ["", "jane", "555-1234", "jane@", "@example.com", "jane@example", "jane doe@example.com", "a@b@c.com",
                      "jane@-x.com", "jane@x-.com", "jane@x..com", "jane@.x.com", "jane@x.com.", "jane\t@x.com",
                      "jane\u{00A0}doe@example.com", "jane@example.com\u{2028}", "jane@exam\u{3000}ple.com",
                      String(repeating: "a", count: 65) + "@example.com",
                      String(repeating: "é", count: 65) + "@example.com",
                      "a@" + String(repeating: "b", count: 250) + ".com"])
    func refusesImplausibleAddresses(_ address: String) {
        #expect(!EmailAddress.isPlausible(address))
    }

    /// The byte-level check gives what the rules read as characters give, over every short string of
    /// the characters that matter to it.
    @Test func agreesWithTheRulesReadAsCharactersOnShortStrings() {
        func reference(_ candidate: String) -> Bool {
            guard candidate.utf8.count <= 254, !candidate.contains(where: { $0.isWhitespace }) else { return false }
            let parts = candidate.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
            let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }
        }
        let alphabet: [String] = ["a", "@", ".", "-", " ", "é", "\u{00A0}"]
        var strings = [""]
        for _ in 1...6 { strings = strings + strings.flatMap { prefix in alphabet.map { prefix + $0 } }.filter { $0.count <= 6 } }
        for candidate in Set(strings) {
            #expect(EmailAddress.isPlausible(candidate) == reference(candidate), "\(candidate.debugDescription)")
        }
    }
}
