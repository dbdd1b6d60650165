import Foundation
import LeadPolicy
import Synchronization

/// A pool's rotation as stored: each member's current weight by agent id, one JSON object.
package enum RotationPositions {
    package static func text(_ rotation: PoolRotation) -> String {
        var text = JSONText(capacity: 1024)
        text.object { agents in rotation.forEachEntry { agents.int(escaping: $0, $1) } }
        return text.text
    }

    package static func rotation(_ text: String, poolID: String) throws -> PoolRotation {
        guard case .object(let positions) = try JSONParser.parse(text.utf8) else {
            throw StoreError.conflict("pool '\(poolID)': its stored rotation is unreadable")
        }
        return PoolRotation(current: positions.compactMapValues { value in
            if case .number(let number) = value { Int(number) } else { nil }
        })
    }
}

/// The calendar day a lead counts towards an agent's daily cap (`2026-12-01`), in the service's zone.
package enum RoutingDay {
    package static func day(_ date: Date, timeZone: TimeZone) -> String {
        // A calendar computation per batch was a tenth of a batch's own work; a day lasts long.
        if let known = lastDay.withLock({ $0 }), known.timeZone == timeZone, known.interval.start <= date, date < known.interval.end {
            return known.day
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let day = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        if let interval = calendar.dateInterval(of: .day, for: date) {
            lastDay.withLock { $0 = KnownDay(timeZone: timeZone, interval: interval, day: day) }
        }
        return day
    }

    private struct KnownDay: Sendable {
        let timeZone: TimeZone
        let interval: DateInterval
        let day: String
    }

    private static let lastDay = Mutex<KnownDay?>(nil)
}
