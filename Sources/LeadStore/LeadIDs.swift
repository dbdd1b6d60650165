import Foundation

/// Lead ids: `ld_` + 12 hex digits of milliseconds since 1970 + 12 random hex digits. They sort by
/// arrival, which keeps the `lead` table's primary-key index append-mostly.
package enum LeadIDs {
    package static func make(at date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let time = String(milliseconds, radix: 16)
        let random = String(UInt64.random(in: 0..<(1 << 48)), radix: 16)
        return "ld_" + String(repeating: "0", count: max(0, 12 - time.count)) + time
            + String(repeating: "0", count: max(0, 12 - random.count)) + random
    }
}
