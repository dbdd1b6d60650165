import Foundation
import Testing

@testable import LeadStore
@testable import LeadStoreSQLite

@Suite struct TimestampTests {
    @Test func writesWhatTheISO8601FormatStyleWrites() {
        var generator = SystemRandomNumberGenerator()
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
                     Date(timeIntervalSince1970: 1_709_164_799.9999), Date(timeIntervalSince1970: 4_102_444_800.0005),
                     Date(timeIntervalSince1970: 1_800_000_000.123), Date(timeIntervalSince1970: 1_800_000_000.9996)]
        for _ in 0..<20_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<4_200_000_000, using: &generator)))
        }
        for date in dates {
            #expect(Timestamp.string(date) == Timestamp.formatted(date), "\(date.timeIntervalSince1970)")
        }
        // And it reads back to the millisecond.
        let now = Date()
        #expect(abs((Timestamp.parse(Timestamp.string(now)) ?? .distantPast).timeIntervalSince(now)) < 0.001)
    }
}

/// The day a lead counts toward an agent's daily cap, in the configured time zone; remembered for the
/// rest of that day, so every instant must still land on its own day.
@Suite struct DailyCountDayTests {
    @Test func eachInstantCountsOnItsOwnDayInItsTimeZone() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let utc = try #require(TimeZone(identifier: "UTC"))
        let midnight = try #require(Timestamp.parse("2026-03-09T04:00:00Z"))  // 00:00 in New York
        #expect(RoutingTables.day(midnight.addingTimeInterval(-1), timeZone: newYork) == "2026-03-08")
        #expect(RoutingTables.day(midnight, timeZone: newYork) == "2026-03-09")
        #expect(RoutingTables.day(midnight.addingTimeInterval(-1), timeZone: newYork) == "2026-03-08")
        #expect(RoutingTables.day(midnight.addingTimeInterval(-1), timeZone: utc) == "2026-03-09")
        // A daylight-saving day is 23 hours long.
        let dstDay = try #require(Timestamp.parse("2026-03-08T05:00:00Z"))  // 00:00 EST on the day clocks spring forward
        #expect(RoutingTables.day(dstDay.addingTimeInterval(23 * 3600 - 1), timeZone: newYork) == "2026-03-08")
        #expect(RoutingTables.day(dstDay.addingTimeInterval(23 * 3600), timeZone: newYork) == "2026-03-09")
        #expect(RoutingTables.day(dstDay, timeZone: newYork) == "2026-03-08")
    }
}
