import Foundation
import LeadStore
import Synchronization

/// The audit chain's most recent verification by this process (through the API or the console), for
/// the console's front page: recomputing the whole chain there on every visit would read every event.
final class LastChainVerification: Sendable {
    private let last = Mutex<(at: Date, result: ChainVerification)?>(nil)

    func record(_ result: ChainVerification, at date: Date = Date()) {
        last.withLock { $0 = (date, result) }
    }

    var latest: (at: Date, result: ChainVerification)? { last.withLock { $0 } }
}
