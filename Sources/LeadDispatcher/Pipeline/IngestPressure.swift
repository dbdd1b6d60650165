import Synchronization

/// Whether vendors are posting faster than one lead per commit: the ingest group commit notes every
/// batch of more than one lead, and the delivery worker, which shares the one writer and the CPU,
/// steps back while that lasts. A vendor waits for its answer; Buying Buddy can wait a few
/// milliseconds more for the lead.
final class IngestPressure: Sendable {
    private let lastBusyBatch = Mutex<ContinuousClock.Instant?>(nil)

    /// Called by the ingest commit for each batch.
    func noteBatch(size: Int) {
        guard size > 1 else { return }
        let now = ContinuousClock.now
        lastBusyBatch.withLock { $0 = now }
    }

    /// True when a batch of several leads was committed within `window`.
    func isHigh(within window: Duration) -> Bool {
        guard let last = lastBusyBatch.withLock({ $0 }) else { return false }
        return ContinuousClock.now - last < window
    }
}
