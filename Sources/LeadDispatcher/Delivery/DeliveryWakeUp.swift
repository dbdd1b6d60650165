import Foundation

/// Wakes the delivery loop early: when a lead is queued, when a delivery finishes, or at shutdown.
/// Between rings the loop sleeps until the next lead falls due (at most a second).
public actor DeliveryWakeUp {
    private var pending = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    private var nextWaiterID = 0

    public init() {}

    /// Rings from anywhere, without waiting.
    public nonisolated func wake() {
        Task { await self.ring() }
    }

    func ring() {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume()
        } else {
            pending = true
        }
    }

    /// Returns at the next ring (or at once if one came since the last wait), or after `seconds`.
    func wait(upTo seconds: Double) async {
        if pending {
            pending = false
            return
        }
        nextWaiterID += 1
        let id = nextWaiterID
        await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                self.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume()
    }
}
