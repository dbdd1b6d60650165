import Foundation
import LeadStore
import Synchronization

/// Runs an operation against the server for at most a while.
///
/// A transaction caught exactly as PostgreSQL shuts down has been seen here never to end: its
/// connection went away without its query failing. The service's writes are queued behind each other
/// (group commit), so one such transaction would hold every later lead or delivery record for good.
/// Past `limit` the caller gets `StoreError.unavailable` and goes on; the operation is left to end
/// when its connection does (it committed nothing the server kept, or it ends normally).
enum PostgresDeadline {
    static func run<Result: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let outcome = Outcome<Result>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.whenDecided { continuation.resume(with: $0) }
            let work = Task {
                do { outcome.decide(.success(try await operation())) } catch { outcome.decide(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                if outcome.decide(.failure(StoreError.unavailable("PostgreSQL did not finish an operation within \(limit); nothing is assumed written, retry"))) {
                    work.cancel()
                }
            }
        }
    }

    /// The first result, delivered once.
    private final class Outcome<Value: Sendable>: Sendable {
        private let state = Mutex<(decided: Bool, deliver: (@Sendable (Swift.Result<Value, any Error>) -> Void)?)>((false, nil))

        func whenDecided(_ deliver: @escaping @Sendable (Swift.Result<Value, any Error>) -> Void) {
            state.withLock { $0.deliver = deliver }
        }

        /// True when this was the first result.
        @discardableResult
        func decide(_ result: Swift.Result<Value, any Error>) -> Bool {
            let deliver = state.withLock { state -> (@Sendable (Swift.Result<Value, any Error>) -> Void)? in
                guard !state.decided else { return nil }
                state.decided = true
                return state.deliver
            }
            deliver?(result)
            return deliver != nil
        }
    }
}
