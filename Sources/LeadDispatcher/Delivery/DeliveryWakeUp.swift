import Foundation
import Synchronization

/// Wakes the delivery loop early: when a lead is queued, when a delivery finishes, or at shutdown.
/// Between rings the loop sleeps until the next lead falls due (at most a second).
///
/// A one-slot signal: rings while nobody waits fold into one, so a burst of a hundred thousand leads
/// costs a hundred thousand lock turns and nothing else. `wake()` starts no task, and a wait's timeout
/// is a child task that ends (cancelled) with the wait, so nothing outlives either.
public final class DeliveryWakeUp: Sendable {
    private struct State {
        /// A ring came while nobody waited: the next wait returns at once.
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    /// Leads were queued here since the other instances were last told (`InstanceSignalService`).
    private let queuedSinceTold = Atomic<Bool>(false)

    public init() {}

    /// Leads were committed to the outbox (accepted, redelivered, rerouted): rings, and marks them for
    /// the other instances on the same database, told at most every 100 ms (`takeQueued`).
    public func leadsQueued() {
        queuedSinceTold.store(true, ordering: .relaxed)
        wake()
    }

    /// Whether leads were queued since the last call.
    func takeQueued() -> Bool {
        queuedSinceTold.exchange(false, ordering: .relaxed)
    }

    /// Rings from anywhere, without waiting.
    public func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next ring (or at once if one came since the last wait), or after `seconds`;
    /// true when it rang. One waiter at a time: the delivery loop.
    @discardableResult
    func wait(upTo seconds: Double) async -> Bool {
        let rang = state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        if rang { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.ring()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
    }

    /// Suspends until a ring, or until the task is cancelled (the timeout won).
    private func ring() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
