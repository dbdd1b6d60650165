import Foundation
import Synchronization

/// A token bucket per vendor: `rate_limit_per_minute` leads a minute, refilled continuously, with a
/// burst of a minute's worth. In memory: a restart refills every bucket, which errs on the vendor's side.
/// A lock rather than an actor: it is taken for every lead, and a vendor without a limit takes nothing.
final class VendorRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock = ContinuousClock()

    /// nil when the request may pass (and takes a token); otherwise the seconds until one is available.
    func take(vendorID: String, perMinute limit: Int?) -> Double? {
        guard let limit, limit > 0 else { return nil }
        let capacity = Double(limit)
        let perSecond = capacity / 60
        let now = clock.now
        return buckets.withLock { buckets in
            var bucket = buckets[vendorID] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * perSecond)
            bucket.updated = now
            defer { buckets[vendorID] = bucket }
            guard bucket.tokens >= 1 else {
                return (1 - bucket.tokens) / perSecond
            }
            bucket.tokens -= 1
            return nil
        }
    }
}
