import LeadPolicy
import Synchronization

/// The policy in force, kept between write transactions and keyed by its version, so that ingest
/// does not read every account, agent, pool and rule again for each batch of leads.
///
/// On SQLite it is sound because every change to the policy tables goes through `modifyPolicy`, which
/// records a new `policy_version` and invalidates this cache in the same transaction, and because only
/// this process writes the database (the single-writer lock). PostgreSQL, written by several
/// instances, keys it by `policy_generation`, which every change on any instance moves. It is read and filled inside the writer, so it never sees a policy newer
/// than the transaction's.
package final class PolicyCache: Sendable {
    package init() {}

    private struct Entry {
        var version: Int?
        var policy: Policy
    }

    private let entry = Mutex<Entry?>(nil)

    /// Forgets the cached policy. Called by every change to the policy tables, inside its transaction
    /// (the writer runs nothing else meanwhile), so even a change that records no new version, such
    /// as a reordering, is read afresh.
    package func invalidate() {
        entry.withLock { $0 = nil }
    }

    /// The policy of `version`: the cached one, or `load()`'s, which is then kept.
    package func policy(version: Int?, load: () throws -> Policy) rethrows -> Policy {
        if let cached = entry.withLock({ $0 }), cached.version == version {
            return cached.policy
        }
        let policy = try load()
        entry.withLock { $0 = Entry(version: version, policy: policy) }
        return policy
    }

    /// The cached policy when it is `version`'s (for a loader that must `await`).
    package func cached(version: Int?) -> Policy? {
        entry.withLock { $0 }.flatMap { $0.version == version ? $0.policy : nil }
    }

    /// Keeps `policy` as `version`'s.
    package func keep(_ policy: Policy, version: Int?) {
        entry.withLock { $0 = Entry(version: version, policy: policy) }
    }
}
