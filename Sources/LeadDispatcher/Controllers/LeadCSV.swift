import Foundation
import Hummingbird
import LeadStore
import NIOCore

/// Leads as CSV (RFC 4180): a header line, CRLF line ends, fields quoted when they hold a comma, quote
/// or line break. A cell that a spreadsheet would run as a formula (`= + - @`, tab, carriage return)
/// gets a leading apostrophe, so an export never executes what a vendor typed.
enum LeadCSV {
    static let columns = ["lead_id", "received_at", "vendor_id", "email", "campaign_id", "tags", "rule_id",
                          "target_kind", "agent_id", "account_id", "status", "attempts", "policy_version"]
    static let header = columns.joined(separator: ",") + "\r\n"

    /// The leads `query` finds as a CSV download, streamed page by page so memory stays constant for
    /// any number of leads (the API's `/v1/leads.csv` and the console's `/console/leads.csv`).
    static func response(_ query: LeadQuery, leads: any LeadRepository) -> Response {
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: header))
            var remaining = query.limit
            var page = query
            while remaining > 0 {
                page.limit = min(500, remaining)
                let rows = try await leads.leads(page)
                guard !rows.isEmpty else { break }
                try await writer.write(ByteBuffer(string: rows.map(row).joined()))
                remaining -= rows.count
                page.after = rows.last?.cursor
                if rows.count < page.limit { break }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                              .contentDisposition: "attachment; filename=\"leads.csv\""], body: body)
    }

    static func row(_ lead: LeadSummary) -> String {
        let cells: [String] = [
            lead.id, lead.receivedAt, lead.vendorID, lead.email ?? "", lead.campaignID ?? "", lead.tags.joined(separator: ","),
            lead.ruleID ?? "", lead.target?.kind ?? "", lead.target?.agentID ?? "", lead.target?.accountID ?? "",
            lead.status.rawValue, String(lead.attempts), lead.policyVersion.map(String.init) ?? "",
        ]
        return cells.map(cell).joined(separator: ",") + "\r\n"
    }

    /// Judged on the UTF-8 bytes, not on characters: grapheme breaking was a fifth of an export's time,
    /// and a byte test is the stricter one (a leading `=` with a combining mark is still defused, a
    /// comma with one is still quoted).
    static func cell(_ value: String) -> String {
        var value = value
        if let first = value.utf8.first, Self.startsFormula(first) {
            value = "'" + value
        }
        if value.utf8.contains(where: Self.needsQuotes) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    private static func startsFormula(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): true
        default: false
        }
    }

    private static func needsQuotes(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r"): true
        default: false
        }
    }
}
