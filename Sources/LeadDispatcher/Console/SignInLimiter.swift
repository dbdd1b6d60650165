import Foundation
import Synchronization

/// Failed sign-ins, per email and per client address: after `limit` failures within `window`, further
/// tries are refused (429) until the oldest failure leaves the window. A success clears its email.
final class SignInLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(limit: Int = 5, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until a try is allowed again for either key, or nil when it is allowed now.
    func retryAfter(email: String, address: String, now: Date = Date()) -> Int? {
        failures.withLock { failures in
            let waits = [Self.emailKey(email), Self.addressKey(address)].compactMap { key -> TimeInterval? in
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
                failures[key] = recent.isEmpty ? nil : recent
                guard recent.count >= limit, let oldest = recent.first else { return nil }
                return window - now.timeIntervalSince(oldest)
            }
            return waits.max().map { max(1, Int($0.rounded(.up))) }
        }
    }

    /// Keys kept at most; past it, keys whose failures have all left the window are dropped, so that
    /// tries with ever new emails cannot grow memory without bound.
    static let maxKeys = 10_000

    func failed(email: String, address: String, now: Date = Date()) {
        failures.withLock { failures in
            if failures.count >= Self.maxKeys {
                failures = failures.filter { _, times in times.contains { now.timeIntervalSince($0) < window } }
            }
            failures[Self.emailKey(email), default: []].append(now)
            failures[Self.addressKey(address), default: []].append(now)
        }
    }

    func succeeded(email: String) {
        _ = failures.withLock { $0.removeValue(forKey: Self.emailKey(email)) }
    }

    static func emailKey(_ email: String) -> String { "email:" + email.lowercased() }
    static func addressKey(_ address: String) -> String { "address:" + address }
}
