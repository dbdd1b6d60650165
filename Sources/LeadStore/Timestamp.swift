import Foundation

/// RFC 3339 timestamps in UTC with milliseconds, the one textual time format of the store and API.
/// Sortable as text, which the audit queries rely on.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    public static func string(_ date: Date) -> String {
        date.formatted(style)
    }

    /// Parses RFC 3339 with or without fractional seconds and with any offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).parse(text)
    }
}
