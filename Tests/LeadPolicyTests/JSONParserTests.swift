import Foundation
import LeadPolicy
import Testing

/// `JSONParser` reads leads, stored fields and CRM answers; it must agree with `JSONDecoder` on what
/// is JSON and what it means.
@Suite struct JSONParserTests {
    static let valid = [
        #"{}"#, #"[]"#, #"{"a":1}"#, #"  {"a" : [1, 2.5, -3e2, 0, -0.0, 1E+2, 12345678901234567]} "#, #""plain""#, #"true"#, #"null"#,
        #"{"email":"pat@example.com","tags":["buyer","vip"],"rating":4,"welcome_email":false,"notes":null}"#,
        #"{"s":"quote \" backslash \\ slash \/ \b\f\n\r\t"}"#, #"{"u":"\u00e9\u65e5\ud83c\udfe0 caf\u00E9"}"#, #"{"raw":"café 日本 🏠"}"#,
        #"{"nested":{"deeper":{"deepest":[[[]]]}}}"#, #"{"dup":1,"dup":2}"#, "\t\n\r [1,\n2 ]\n", #"-0"#, #"0.5e-3"#,
    ]

    static let invalid = [
        "", " ", "{", "}", "[1,]", #"{"a":1,}"#, "{a:1}", "'x'", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "[1 2]",
        #"{"a" 1}"#, "\"unterminated", "\"tab\tinside\"", #""\x""#, #""\u12""#, #""\ud83c""#, #""\udfe0""#, "[1] extra", "NaN", "Infinity",
        "1e400", "/* comment */ 1", "[" + String(repeating: "[", count: 600) + String(repeating: "]", count: 601),
    ]

    @Test func readsWhatJSONDecoderReads() throws {
        for text in Self.valid {
            let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(try JSONParser.parse(Array(text.utf8)) == expected, "\(text)")
        }
    }

    @Test func refusesWhatIsNotJSON() {
        for text in Self.invalid {
            #expect(throws: JSONParser.Failure.self, "\(text)") { try JSONParser.parse(Array(text.utf8)) }
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) }
    }

    @Test func writesBackWhatItRead() throws {
        for text in Self.valid {
            let value = try JSONParser.parse(Array(text.utf8))
            var written = JSONText()
            written.value(value, sortingKeys: true)
            #expect(try JSONParser.parse(written.bytes) == value, "\(text)")
        }
    }
}
