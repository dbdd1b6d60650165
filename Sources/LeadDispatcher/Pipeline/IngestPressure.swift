import Synchronization

/// How hard vendors are pressing on the one writer, as the ingest group commit reports it; the
/// delivery worker, which shares that writer and the CPU, steps back accordingly. A vendor waits for
/// its answer; Buying Buddy can wait for the lead.
///
/// Two signals:
/// - **high**: a batch of several leads was committed lately (leads queue for the writer). Delivery
///   then gathers its claims and records for 50 ms instead of 5, one commit for many.
/// - **saturated**: ingest commits kept the writer busy for at least half of the last second (a
///   vendor replaying its backlog, say). Delivery then also claims no more than its concurrency per
///   50 ms: a floor that keeps leads flowing, while the rest of the writer and the CPU go to answering
///   vendors. The backlog drains once the spike is over; `dispatcher_outbox_oldest_pending_seconds`
///   shows how far behind it is.
final class IngestPressure: Sendable {
    /// Busy time is summed per tenth of a second, over the last second.
    static let slot = Duration.milliseconds(100)
    static let slots = 10
    static let saturatedShare = 0.5

    private struct State {
        var lastBusyBatch: ContinuousClock.Instant?
        /// Nanoseconds of ingest commit per slot, indexed by slot number modulo `slots`.
        var busy = [Int64](repeating: 0, count: IngestPressure.slots)
        var slotNumbers = [Int64](repeating: -1, count: IngestPressure.slots)
    }

    private let state = Mutex(State())
    private let origin = ContinuousClock.now

    /// Called by the ingest commit for each batch, once it has committed.
    func noteBatch(size: Int, took duration: Duration = .zero, at now: ContinuousClock.Instant = .now) {
        let slot = slotNumber(now)
        state.withLock { state in
            if size > 1 { state.lastBusyBatch = now }
            let index = Int(slot % Int64(Self.slots))
            if state.slotNumbers[index] != slot {
                state.slotNumbers[index] = slot
                state.busy[index] = 0
            }
            state.busy[index] += duration.nanoseconds
        }
    }

    /// True when a batch of several leads was committed within `window`.
    func isHigh(within window: Duration, at now: ContinuousClock.Instant = .now) -> Bool {
        guard let last = state.withLock({ $0.lastBusyBatch }) else { return false }
        return now - last < window
    }

    /// The share of the last second (the current slot and the nine before it) the writer spent
    /// committing ingest batches.
    func busyShare(at now: ContinuousClock.Instant = .now) -> Double {
        let current = slotNumber(now)
        let total = state.withLock { state in
            (0..<Self.slots).reduce(Int64(0)) { sum, index in
                let slot = state.slotNumbers[index]
                return slot > current - Int64(Self.slots) && slot <= current ? sum + state.busy[index] : sum
            }
        }
        return Double(total) / Double((Self.slot * Self.slots).nanoseconds)
    }

    func isSaturated(at now: ContinuousClock.Instant = .now) -> Bool {
        busyShare(at: now) >= Self.saturatedShare
    }

    private func slotNumber(_ instant: ContinuousClock.Instant) -> Int64 {
        (instant - origin).nanoseconds / Self.slot.nanoseconds
    }
}
