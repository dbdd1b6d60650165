import LeadPolicy
import Synchronization

/// Each pool's rotation and today's counts as the last committed batch left them, kept between write
/// transactions so that a batch neither reads a pool's positions nor writes them back, nor reads every
/// agent's count again: a pool of a thousand agents read and rewrote a thousand rows per batch (ingest
/// at 32 connections ran at a third of a pool of 20's). A batch stores what it advanced here only once
/// it has committed; a rotation missing here, or of another pick than the database's, is replayed from
/// the pool's checkpoint (`RotationReplay`), which is also what a restart does; counts missing here are
/// read. Sound because only this process writes the database.
final class RoutingStateCache: Sendable {
    private let entries = Mutex<[String: (seq: Int, rotation: PoolRotation)]>([:])
    private let counts = Mutex<(day: String, counts: [String: Int])?>(nil)

    /// Today's counts by agent, if kept for `day`.
    func counts(day: String) -> [String: Int]? {
        counts.withLock { kept in kept.flatMap { $0.day == day ? $0.counts : nil } }
    }

    /// Keeps a committed batch's counts for its day.
    func store(day: String, counts: [String: Int]) {
        self.counts.withLock { $0 = (day, counts) }
    }

    /// The pool's rotation after pick `seq`, if that is the one kept.
    func rotation(_ poolID: String, seq: Int) -> PoolRotation? {
        entries.withLock { entries in entries[poolID].flatMap { $0.seq == seq ? $0.rotation : nil } }
    }

    /// Keeps what a committed batch advanced.
    func store(_ advanced: [String: (seq: Int, rotation: PoolRotation)]) {
        guard !advanced.isEmpty else { return }
        entries.withLock { entries in entries.merge(advanced) { _, new in new } }
    }

    /// Forgets every rotation (a change outside a batch of leads: a reroute).
    func invalidate() {
        entries.withLock { $0.removeAll() }
        counts.withLock { $0 = nil }
    }
}
