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
///
/// With several instances on one PostgreSQL there is no one writer, but there is one database, and
/// each delivery record takes the audit chain's head that every ingest commit also needs: the
/// instances tell each other their pressure (`InstanceSignalService`), and a delivery worker steps
/// back for the busiest of them (`notePeer`), its own ingest included.
final class IngestPressure: Sendable {
    /// Busy time is summed per tenth of a second, over the last second.
    static let slot = Duration.milliseconds(100)
    static let slots = 10
    static let saturatedShare = 0.5

    /// How long another instance's word on its pressure holds: it says it again every `slot` for as
    /// long as the pressure lasts, so two slots without word mean it has eased (or the instance is gone).
    static let peerWordLasts = slot * 2

    private struct State {
        var lastBusyBatch: ContinuousClock.Instant?
        /// The busiest share another instance reported, and when; and when one last said it is high.
        var peerShare = 0.0
        var peerShareAt: ContinuousClock.Instant?
        var peerHighAt: ContinuousClock.Instant?
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

    /// Another instance's pressure, as it reported it (`InstanceSignal.ingestPressure`).
    func notePeer(busyShare: Double, high: Bool, at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            let current = state.peerShareAt.map { now - $0 < Self.peerWordLasts } == true ? state.peerShare : 0
            state.peerShare = max(current, busyShare)
            state.peerShareAt = now
            if high { state.peerHighAt = now }
        }
    }

    /// True when a batch of several leads was committed within `window`, here or (by its word within
    /// `peerWordLasts`) on another instance.
    func isHigh(within window: Duration, at now: ContinuousClock.Instant = .now) -> Bool {
        let (last, peer) = state.withLock { ($0.lastBusyBatch, $0.peerHighAt) }
        if let last, now - last < window { return true }
        if let peer, now - peer < max(window, Self.peerWordLasts) { return true }
        return false
    }

    /// The share of the last second (the current slot and the nine before it) the writer spent
    /// committing ingest batches; with other instances, the busiest one's.
    func busyShare(at now: ContinuousClock.Instant = .now) -> Double {
        max(ownBusyShare(at: now), peerBusyShare(at: now))
    }

    /// This instance's own share: what it tells the others.
    func ownBusyShare(at now: ContinuousClock.Instant = .now) -> Double {
        let current = slotNumber(now)
        let total = state.withLock { state in
            (0..<Self.slots).reduce(Int64(0)) { sum, index in
                let slot = state.slotNumbers[index]
                return slot > current - Int64(Self.slots) && slot <= current ? sum + state.busy[index] : sum
            }
        }
        return Double(total) / Double((Self.slot * Self.slots).nanoseconds)
    }

    /// True when this instance's own ingest committed a batch of several leads within `window`.
    func isOwnHigh(within window: Duration, at now: ContinuousClock.Instant = .now) -> Bool {
        guard let last = state.withLock({ $0.lastBusyBatch }) else { return false }
        return now - last < window
    }

    private func peerBusyShare(at now: ContinuousClock.Instant) -> Double {
        state.withLock { state in
            guard let at = state.peerShareAt, now - at < Self.peerWordLasts else { return 0 }
            return state.peerShare
        }
    }

    func isSaturated(at now: ContinuousClock.Instant = .now) -> Bool {
        busyShare(at: now) >= Self.saturatedShare
    }

    private func slotNumber(_ instant: ContinuousClock.Instant) -> Int64 {
        (instant - origin).nanoseconds / Self.slot.nanoseconds
    }
}
