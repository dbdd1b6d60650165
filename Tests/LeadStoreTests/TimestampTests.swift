import Foundation
import Testing

@testable import LeadStore

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
