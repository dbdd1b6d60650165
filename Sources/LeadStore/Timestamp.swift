import Foundation

/// RFC 3339 timestamps in UTC with milliseconds, the one textual time format of the store and API.
/// Sortable as text, which the audit queries rely on.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    /// `2026-12-01T09:30:00.123Z`: what `style` writes, computed directly (a lead writes several of
    /// these inside the write transaction, and the format style cost more than the rest of an insert).
    public static func string(_ date: Date) -> String {
        // Whole seconds and truncated milliseconds of the reference-date interval, as the style takes them.
        let interval = date.timeIntervalSinceReferenceDate
        let seconds = interval.rounded(.down)
        let fraction = min(999, Int64(((interval - seconds) * 1000).rounded(.down)))
        let milliseconds = (Int64(seconds) + 978_307_200) * 1000 + fraction
        guard (0..<253_402_300_800_000).contains(milliseconds) else { return date.formatted(style) }
        let (days, millisecondOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var utf8: [UInt8] = []
        utf8.reserveCapacity(24)
        func put(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                utf8.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        put(year, digits: 4); utf8.append(UInt8(ascii: "-"))
        put(month, digits: 2); utf8.append(UInt8(ascii: "-"))
        put(day, digits: 2); utf8.append(UInt8(ascii: "T"))
        put(millisecondOfDay / 3_600_000, digits: 2); utf8.append(UInt8(ascii: ":"))
        put(millisecondOfDay / 60_000 % 60, digits: 2); utf8.append(UInt8(ascii: ":"))
        put(millisecondOfDay / 1000 % 60, digits: 2); utf8.append(UInt8(ascii: "."))
        put(millisecondOfDay % 1000, digits: 3); utf8.append(UInt8(ascii: "Z"))
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The format style's own rendering, which `string` reproduces (the tests compare them).
    static func formatted(_ date: Date) -> String {
        date.formatted(style)
    }

    /// Parses RFC 3339 with or without fractional seconds and with any offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).parse(text)
    }
}
