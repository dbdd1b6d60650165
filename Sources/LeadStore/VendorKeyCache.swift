import Foundation
import Synchronization

/// Vendors by the hash of their key, so that an ingest request does not read the `vendor` table (a
/// reader hop and a query) for every lead.
///
/// Every change to a vendor clears it after its transaction commits. A lookup that read the table
/// before such a change must not put the old vendor back: the generation counter, bumped by every
/// clear, makes it drop what it read instead. Unknown keys are never kept.
package final class VendorKeyCache: Sendable {
    package init() {}

    private struct Entries {
        var vendors: [Data: Vendor] = [:]
        var generation = 0
    }

    private let entries = Mutex(Entries())

    package func vendor(keyHash: Data) -> Vendor? {
        entries.withLock { $0.vendors[keyHash] }
    }

    package var generation: Int { entries.withLock { $0.generation } }

    /// Keeps a vendor read from the table, unless a change came since `generation` was taken.
    package func keep(_ vendor: Vendor, keyHash: Data, readAt generation: Int) {
        entries.withLock { entries in
            guard entries.generation == generation else { return }
            entries.vendors[keyHash] = vendor
        }
    }

    package func invalidate() {
        entries.withLock { entries in
            entries.vendors.removeAll()
            entries.generation += 1
        }
    }
}
