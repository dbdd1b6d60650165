import Foundation

/// Recomputes the hash chain event by event, in order of position, as a store reads its log: every
/// hash from the previous event's hash and the event's content. An event is broken when that is not
/// its stored hash (its content was edited, or the event before it was, hash and all), or when its
/// position does not follow the previous one (a row removed before it). A removed tail shows as
/// positions used but missing (`finish(positionsUsed:)`).
package struct AuditChainWalk: Sendable {
    private var previousHash = AuditChain.genesis
    private var previousSeq: Int64 = 0
    private var checked = 0

    package init() {}

    /// Checks the next event (its `prevHash` need not be set); returns the verdict when it is broken.
    package mutating func check(_ event: AuditEvent) -> ChainVerification? {
        var event = event
        event.prevHash = previousHash
        if event.seq != previousSeq + 1 {
            return result(ok: false, firstBrokenID: String(event.seq), problem: "event \(previousSeq + 1) is missing before it")
        }
        if AuditChain.hash(of: event) != event.hash {
            return result(ok: false, firstBrokenID: String(event.seq),
                          problem: "its hash does not follow from the hash of the event before and its own content")
        }
        previousHash = event.hash
        previousSeq = event.seq
        checked += 1
        return nil
    }

    /// The verdict once every event checked out: `positionsUsed` is the highest position the log has
    /// ever handed out, so that events removed from its end show.
    package func finish(positionsUsed used: Int64) -> ChainVerification {
        if used > previousSeq {
            return result(ok: false, firstBrokenID: String(previousSeq + 1), problem: "events \(previousSeq + 1) to \(used) were written and are gone")
        }
        return result(ok: true, firstBrokenID: nil, problem: nil)
    }

    /// The result, naming the last event that checked out as the newest.
    private func result(ok: Bool, firstBrokenID: String?, problem: String?) -> ChainVerification {
        ChainVerification(ok: ok, checked: checked, firstBrokenID: firstBrokenID, problem: problem,
                          newestID: previousSeq > 0 ? String(previousSeq) : nil, newestHash: previousSeq > 0 ? previousHash : nil)
    }
}
