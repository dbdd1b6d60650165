import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// CSV cells as RFC 4180 wants them, and never a formula a spreadsheet would run.
@Suite struct LeadCSVTests {
    @Test func cellsAreQuotedWhenTheyMustBeAndFormulasAreDefused() {
        let cases: [(String, String)] = [
            ("plain", "plain"),
            ("", ""),
            ("日本語 café", "日本語 café"),
            ("=1+1", "'=1+1"),
            ("+44 20", "'+44 20"),
            ("-5", "'-5"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            // A line break that starts the cell is both: defused, then quoted.
            ("\r\nx", "\"'\r\nx\""),
            ("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\""),
            // A combining mark does not hide an `=` or a comma.
            ("=\u{301}1", "'=\u{301}1"),
            ("a,\u{301}b", "\"a,\u{301}b\""),
        ]
        for (value, expected) in cases {
            #expect(LeadCSV.cell(value) == expected, "\(value.debugDescription)")
        }
    }
}
