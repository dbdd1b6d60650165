import LeadPolicy
import Synchronization

/// Each pool's rotation as the last committed batch left it, kept between write transactions so that
/// a batch neither reads a pool's positions nor writes them back: a pool of a thousand agents read and
/// rewrote a thousand rows per batch (ingest at 32 connections ran at a third of a pool of 20's). A
/// batch stores what it advanced here only once it has committed, and an entry is used only when its
/// pick is the pool's pick in the database (a batch may begin before the one before it has stored
/// here); anything else is replayed from the pool's checkpoint (`RotationReplay`), which is also what a
/// restart does. Sound because only this process writes the database.
package final class RoutingStateCache: Sendable {
    package init() {}

    private let entries = Mutex<[String: (seq: Int, rotation: PoolRotation)]>([:])

    /// The pool's rotation after pick `seq`, if that is the one kept.
    package func rotation(_ poolID: String, seq: Int) -> PoolRotation? {
        entries.withLock { entries in entries[poolID].flatMap { $0.seq == seq ? $0.rotation : nil } }
    }

    /// Keeps what a committed batch advanced.
    package func store(_ advanced: [String: (seq: Int, rotation: PoolRotation)]) {
        guard !advanced.isEmpty else { return }
        // A later pick is never replaced by an earlier one stored late.
        entries.withLock { entries in entries.merge(advanced) { old, new in new.seq >= old.seq ? new : old } }
    }

    /// Forgets every rotation (a change outside a batch of leads: a reroute).
    package func invalidate() {
        entries.withLock { $0.removeAll() }
    }
}
