import Foundation
import LeadStore

/// How an attempt's result decides what happens next: delivered, another attempt after exponential
/// backoff with full jitter (or the CRM's `Retry-After`, capped), or dead.
struct RetryPolicy: Sendable {
    var initialDelay: Double
    var maxDelay: Double
    var maxAttempts: Int
    var maxRejections: Int

    init(settings: DispatcherSettings) {
        initialDelay = settings.retryInitialDelay
        maxDelay = settings.retryMaxDelay
        maxAttempts = settings.maxAttempts
        maxRejections = settings.maxRejections
    }

    /// - Parameters:
    ///   - attemptsBefore: attempts made before this one since the lead was queued.
    ///   - rejectionsBefore: `{"success": false}` answers before this one.
    func outcome(of result: CRMResult, attemptsBefore: Int, rejectionsBefore: Int, now: Date,
                 random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> DeliveryOutcome {
        let attempts = attemptsBefore + 1
        switch result.verdict {
        case .delivered:
            return .delivered
        case .permanentFailure:
            return .dead
        case .rejected:
            guard rejectionsBefore + 1 <= maxRejections, attempts < maxAttempts else { return .dead }
            return .retry(at: now.addingTimeInterval(backoff(attempts: attempts, random: random)), rejected: true)
        case .transientFailure:
            guard attempts < maxAttempts else { return .dead }
            let delay = result.retryAfter.map { min(max($0, 0), maxDelay) } ?? backoff(attempts: attempts, random: random)
            return .retry(at: now.addingTimeInterval(delay), rejected: false)
        }
    }

    /// Full jitter: a uniform delay between zero and the exponential ceiling for this attempt.
    func backoff(attempts: Int, random: (ClosedRange<Double>) -> Double) -> Double {
        let ceiling = min(maxDelay, initialDelay * pow(2, Double(max(0, attempts - 1))))
        return random(0...ceiling)
    }
}
