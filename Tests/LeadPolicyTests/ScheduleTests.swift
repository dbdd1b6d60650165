import Foundation
import LeadPolicy
import Testing

/// `match.schedule` and the clock as an input: windows in a time zone, across midnight and on both
/// daylight-saving days, and every malformed schedule refused with its path.
@Suite struct ScheduleTests {
    static func schedule(_ json: String) throws -> Schedule {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)).decode(Schedule.self)
    }

    static func at(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test func aWindowIsWallClockTimeInItsZone() throws {
        let hours = try Self.schedule(#"{"time_zone":"America/Chicago","days":["mon","tue","wed","thu","fri"],"from":"09:00","until":"17:00"}"#)
        #expect(hours.contains(Self.at("2026-12-07T15:00:00Z")))   // Mon 09:00 in Chicago (UTC-6)
        #expect(!hours.contains(Self.at("2026-12-07T14:59:00Z")))  // Mon 08:59
        #expect(!hours.contains(Self.at("2026-12-07T23:00:00Z")))  // Mon 17:00: `until` is not inside
        #expect(!hours.contains(Self.at("2026-12-05T16:15:00Z")))  // Sat 10:15
        // Far from UTC, half an hour off: Kolkata is UTC+5:30.
        let kolkata = try Self.schedule(#"{"time_zone":"Asia/Kolkata","days":["sat"],"from":"00:00","until":"00:30"}"#)
        #expect(kolkata.contains(Self.at("2026-12-04T18:45:00Z")))  // Sat 00:15 there, still Friday in UTC
        #expect(!kolkata.contains(Self.at("2026-12-05T18:45:00Z")))  // Sun 00:15
    }

    @Test func aWindowThatEndsBeforeItStartsSpansMidnight() throws {
        let nights = try Self.schedule(#"{"time_zone":"UTC","days":["fri"],"from":"22:00","until":"06:00"}"#)
        #expect(nights.contains(Self.at("2026-12-04T22:00:00Z")))   // Fri 22:00
        #expect(nights.contains(Self.at("2026-12-05T05:59:00Z")))   // Sat 05:59, the night that began on Friday
        #expect(!nights.contains(Self.at("2026-12-05T06:00:00Z")))  // Sat 06:00
        #expect(!nights.contains(Self.at("2026-12-05T22:30:00Z")))  // Sat 22:30: Saturday is not listed
        #expect(!nights.contains(Self.at("2026-12-04T05:00:00Z")))  // Fri 05:00 belongs to Thursday's night
        let allDay = try Self.schedule(#"{"time_zone":"UTC","days":["sun"],"from":"00:00","until":"00:00"}"#)
        #expect(allDay.contains(Self.at("2026-12-06T23:59:00Z")) && !allDay.contains(Self.at("2026-12-07T00:00:00Z")))
    }

    @Test func daylightSavingDaysKeepTheWallClock() throws {
        let morning = try Self.schedule(#"{"time_zone":"America/Chicago","days":["sun"],"from":"01:30","until":"03:30"}"#)
        // 2026-03-08: clocks go from 02:00 CST to 03:00 CDT. 01:45 CST = 07:45Z; 03:15 CDT = 08:15Z.
        #expect(morning.contains(Self.at("2026-03-08T07:45:00Z")))
        #expect(morning.contains(Self.at("2026-03-08T08:15:00Z")))
        #expect(!morning.contains(Self.at("2026-03-08T08:30:00Z")))  // 03:30 CDT
        // 2026-11-01: clocks go from 02:00 CDT back to 01:00 CST; 01:30 happens twice, both inside.
        #expect(morning.contains(Self.at("2026-11-01T06:30:00Z")))   // 01:30 CDT
        #expect(morning.contains(Self.at("2026-11-01T07:30:00Z")))   // 01:30 CST
        #expect(!morning.contains(Self.at("2026-11-01T09:30:00Z")))  // 03:30 CST
        #expect(!morning.contains(Self.at("2026-11-01T06:29:00Z")))  // 01:29 CDT
        // A nine-to-five is nine to five on the Monday after either change.
        let hours = try Self.schedule(#"{"time_zone":"America/Chicago","days":["mon"],"from":"09:00","until":"17:00"}"#)
        #expect(hours.contains(Self.at("2026-03-09T14:00:00Z")) && !hours.contains(Self.at("2026-03-09T13:59:00Z")))  // CDT, UTC-5
        #expect(hours.contains(Self.at("2026-11-02T15:00:00Z")) && !hours.contains(Self.at("2026-11-02T14:59:00Z")))  // CST, UTC-6
    }

    @Test func aRuleOutsideItsScheduleIsPassedOverWithTheLocalTime() throws {
        let json = #"{"id":"hours","name":"Office hours","priority":1,"match":{"schedule":{"time_zone":"America/Chicago","days":["mon","tue","wed","thu","fri"],"from":"09:00","until":"17:00"}},"action":{"type":"agent","agent_id":"a"},"fallback":null}"#
        let rule = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)).decode(Rule.self)
        let policy = Policy(accounts: [RoutingEngineTests.acme], agents: RoutingEngineTests.agents([("a", 1)]),
                            rules: [rule, Rule(id: "after-hours", name: "After hours", priority: 2, action: .crmRoundRobin(accountID: "acme"))])
        let weekend = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState(now: Self.at("2026-12-05T16:15:00Z"))).decision
        #expect(weekend.ruleID == "after-hours")
        #expect(weekend.explanation.rules.first?.reason == "outside schedule: Sat 10:15 America/Chicago")
        let monday = RoutingEngine.decide(Lead(), policy: policy, state: RoutingState(now: Self.at("2026-12-07T16:15:00Z"))).decision
        #expect(monday.ruleID == "hours")
        #expect(monday.explanation.rules.first?.reason == "inside schedule: Mon 10:15 America/Chicago")
    }

    @Test func everyMalformedScheduleIsRefusedNamingItsPath() {
        let cases: [(String, String)] = [
            (#"{"time_zone":"America/Chicag","days":["mon"],"from":"09:00","until":"17:00"}"#, "time_zone"),
            (#"{"time_zone":"CST","days":["mon"],"from":"09:00","until":"17:00"}"#, "time_zone"),
            (#"{"time_zone":"UTC","days":[],"from":"09:00","until":"17:00"}"#, "days"),
            (#"{"time_zone":"UTC","days":["mon","funday"],"from":"09:00","until":"17:00"}"#, "days[1]"),
            (#"{"time_zone":"UTC","days":["mon","mon"],"from":"09:00","until":"17:00"}"#, "days[1]"),
            (#"{"time_zone":"UTC","days":["mon"],"from":"25:00","until":"17:00"}"#, "from"),
            (#"{"time_zone":"UTC","days":["mon"],"from":"9:00","until":"17:00"}"#, "from"),
            (#"{"time_zone":"UTC","days":["mon"],"from":"09:00","until":"17:60"}"#, "until"),
            (#"{"time_zone":"UTC","days":["mon"],"from":"09:00"}"#, "until"),
            (#"{"time_zone":"UTC","days":"mon","from":"09:00","until":"17:00"}"#, "days"),
            (#"{"time_zone":"UTC","days":["mon"],"from":"09:00","until":"17:00","holidays":[]}"#, "holidays"),
        ]
        for (json, path) in cases {
            do {
                _ = try Self.schedule(json)
                Issue.record("accepted \(json)")
            } catch let error as PolicyError {
                #expect(error.field == path, "\(json): \(error.message)")
            } catch {
                Issue.record("\(json): \(error)")
            }
        }
    }

    @Test func aScheduleReadsBackAsWritten() throws {
        let json = #"{"days":["sat","sun"],"from":"22:00","time_zone":"Europe/Berlin","until":"06:30"}"#
        let schedule = try Self.schedule(json)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(schedule), as: UTF8.self) == json)
    }
}
