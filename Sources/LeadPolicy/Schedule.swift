import Foundation

/// A weekly window of wall-clock time in a time zone: `{"time_zone": "America/Chicago", "days": ["mon",
/// "tue"], "from": "09:00", "until": "17:00"}`. A rule's schedule says when it applies; an agent's, when
/// they take leads. `from` later than `until` spans midnight (`22:00`–`06:00` on a Friday runs into
/// Saturday morning); `from` equal to `until` is the whole day. Wall-clock times are compared in the
/// zone, so daylight-saving changes move nothing: 09:00 is 09:00 on both sides of a change.
public struct Schedule: Sendable, Equatable {
    public enum Day: String, Sendable, CaseIterable, Codable {
        case mon, tue, wed, thu, fri, sat, sun

        var previous: Day {
            Day.allCases[(Day.allCases.firstIndex(of: self)! + 6) % 7]
        }

        /// `Mon`.
        var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    /// An IANA name, `America/Chicago`.
    public var timeZone: String {
        didSet { zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }
    }
    public var days: [Day]
    /// Minutes after midnight.
    public var from: Int
    public var until: Int
    /// `timeZone`, looked up once.
    private var zone: TimeZone

    public init(timeZone: String, days: [Day], from: Int, until: Int) {
        self.timeZone = timeZone
        self.zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        self.days = days
        self.from = from
        self.until = until
    }

    /// The wall-clock moment `date` is in the schedule's zone.
    public struct LocalTime: Sendable, Equatable {
        public var day: Day
        /// Minutes after midnight.
        public var minute: Int
    }

    /// By the zone's offset at that moment and plain arithmetic: a `Calendar` took microseconds a call,
    /// which a pool of a thousand agents with schedules would pay in every decision.
    func localTime(_ date: Date) -> LocalTime {
        let local = Int64((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))).rounded(.down))
        let (days, second) = local.quotientAndRemainder(dividingBy: 86_400)
        let (day, secondOfDay) = second < 0 ? (days - 1, second + 86_400) : (days, second)
        // 1970-01-01 was a Thursday.
        let weekdayFromMonday = Int(((day + 3) % 7 + 7) % 7)
        return LocalTime(day: Day.allCases[weekdayFromMonday], minute: Int(secondOfDay / 60))
    }

    /// Whether `date` falls inside the window.
    public func contains(_ date: Date) -> Bool {
        contains(localTime(date))
    }

    func contains(_ time: LocalTime) -> Bool {
        if from == until { return days.contains(time.day) }
        if from < until { return days.contains(time.day) && time.minute >= from && time.minute < until }
        // Spans midnight: the evening of a listed day, or the small hours after one.
        return (days.contains(time.day) && time.minute >= from) || (days.contains(time.day.previous) && time.minute < until)
    }

    /// `Sat 10:15 America/Chicago`: `date` as the schedule sees it.
    func describe(_ date: Date) -> String {
        let time = localTime(date)
        return "\(time.day.title) \(Self.clock(time.minute)) \(timeZone)"
    }

    /// `09:00`.
    public static func clock(_ minute: Int) -> String {
        let hours = minute / 60, minutes = minute % 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
    }

    /// `HH:MM` → minutes after midnight; nil when it is not a time of day.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes) else { return nil }
        return hours * 60 + minutes
    }
}

extension Schedule: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeZone = "time_zone"
        case days, from, until
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func path(_ key: CodingKeys) -> String { PolicyError.path(container.codingPath, key) }
        let zone = try container.decodeTrimmedString(forKey: .timeZone)!
        guard zone.contains("/") || zone == "UTC", TimeZone(identifier: zone) != nil else {
            throw PolicyError.invalid(path(.timeZone), "'\(zone)' is not an IANA time zone such as America/Chicago")
        }
        timeZone = zone
        self.zone = TimeZone(identifier: zone)!
        let dayTexts = try container.decode([String].self, forKey: .days)
        guard !dayTexts.isEmpty else { throw PolicyError.invalid(path(.days), "must name at least one day (mon … sun)") }
        var days: [Day] = []
        for (index, text) in dayTexts.enumerated() {
            guard let day = Day(rawValue: text.trimmingWhitespace.lowercased()) else {
                throw PolicyError.invalid(path(.days) + "[\(index)]", "'\(text)' is not a day; use mon, tue, wed, thu, fri, sat or sun")
            }
            guard !days.contains(day) else { throw PolicyError.invalid(path(.days) + "[\(index)]", "'\(day.rawValue)' is listed twice") }
            days.append(day)
        }
        self.days = days
        func time(_ key: CodingKeys) throws -> Int {
            let text = try container.decode(String.self, forKey: key)
            guard let minutes = Self.minutes(text.trimmingWhitespace) else {
                throw PolicyError.invalid(path(key), "'\(text)' is not a time of day HH:MM (00:00 to 23:59)")
            }
            return minutes
        }
        from = try time(.from)
        until = try time(.until)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeZone, forKey: .timeZone)
        try container.encode(days.map(\.rawValue), forKey: .days)
        try container.encode(Self.clock(from), forKey: .from)
        try container.encode(Self.clock(until), forKey: .until)
    }
}
