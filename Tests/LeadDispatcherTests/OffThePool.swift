import Foundation

/// Runs blocking work — waiting for a child process and reading its output — on a thread of its own.
/// Async tests share a few threads (one a core); a test that held one for the minute a browser suite
/// takes left the others one thread between them, and on two cores a delivery test beside it stalled
/// past its timeouts.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
