import Foundation
import LeadStore
import Logging
import Metrics
import Synchronization

/// Whether the database takes writes, as the last writes found it. While the disk is full, leads are
/// answered 503 with `Retry-After` (a vendor retries; nothing accepted is lost), `/readyz` says not
/// ready (a load balancer sends elsewhere), and the log says so once when it starts and once when
/// it ends, with the count of refusals in between, instead of one line per refused write.
///
/// Near a full disk some writes fit and others do not (a small record after a large batch failed), so
/// one write that goes through does not end the condition: it ends when the database's filesystem has
/// room again (`recoveredFreeBytes`, or a tenth of a smaller filesystem) and a write has gone through.
final class StorageHealth: Sendable {
    /// Seconds a vendor is asked to wait before it retries a refused lead.
    static let retryAfterSeconds = 30
    /// Free space at which a full disk counts as having room again: a batch of 100 leads of the
    /// 64 KiB most a vendor may send, with room to spare.
    static let recoveredFreeBytes: Int64 = 8 * 1024 * 1024

    private struct State {
        var full = false
        var since: Date?
        var refusals = 0
    }

    private let state = Mutex(State())
    /// Read on every lead: one atomic load while the disk takes writes.
    private let fullFlag = Atomic<Bool>(false)
    private let logger: Logger
    /// The folder of the database, whose filesystem's free space is read while the disk is full; nil
    /// for a database on a server (PostgreSQL), whose disk is not this machine's: there a write that
    /// goes through is the sign that space has returned.
    private let folder: String?

    /// Whether a failed write failed for lack of space, as the store tells it.
    private let isFullError: @Sendable (any Error) -> Bool
    /// Whether a failure says the database is away for now (a server restarting), as the store tells it.
    private let isUnavailableError: @Sendable (any Error) -> Bool
    /// Seconds a client is asked to wait while the database server is away.
    static let unavailableRetryAfterSeconds = 5

    init(databasePath: String?, logger: Logger, isFull: @escaping @Sendable (any Error) -> Bool,
         isUnavailable: @escaping @Sendable (any Error) -> Bool = { _ in false }) {
        isUnavailableError = isUnavailable
        let folder = databasePath.map { ($0 as NSString).deletingLastPathComponent }
        self.folder = folder.map { $0.isEmpty ? "." : $0 }
        self.logger = logger
        isFullError = isFull
    }

    private var hasRoomAgain: Bool {
        guard let folder else { return true }
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: folder),
              let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value,
              let size = (attributes[.systemSize] as? NSNumber)?.int64Value
        else { return false }
        return free >= min(Self.recoveredFreeBytes, size / 10)
    }

    /// `dispatcher_storage_full`: 1 while writes fail for lack of space.
    private func recordGauge(_ full: Bool) {
        Gauge(label: "dispatcher_storage_full").record(full ? 1 : 0)
    }

    var isFull: Bool { fullFlag.load(ordering: .relaxed) }

    /// Counts a write refused for lack of space; the first after a good write logs the change.
    func noteFull() {
        let started = state.withLock { state -> Bool in
            state.refusals += 1
            guard !state.full else { return false }
            state.full = true
            state.since = Date()
            return true
        }
        fullFlag.store(true, ordering: .relaxed)
        Counter(label: "dispatcher_storage_full_refusals_total").increment()
        if started {
            recordGauge(true)
            logger.error("storage full: writes fail for lack of disk space; leads are answered 503 and /readyz is not ready until space returns")
        }
    }

    /// A write went through: if the disk was full, it is no longer, and the log says how long and how
    /// many writes were refused.
    func noteWritten() {
        guard isFull, hasRoomAgain else { return }
        let ended = state.withLock { state -> (since: Date?, refusals: Int)? in
            guard state.full else { return nil }
            defer { state = State() }
            return (state.since, state.refusals)
        }
        fullFlag.store(false, ordering: .relaxed)
        guard let ended else { return }
        recordGauge(false)
        let seconds = ended.since.map { Int(Date().timeIntervalSince($0).rounded()) } ?? 0
        // At the level of the line that said it began, so that whoever saw that one sees this one.
        logger.warning("storage writable again", metadata: ["refused_writes": "\(ended.refusals)", "full_for_seconds": "\(seconds)"])
    }

    /// Sorts a failed write: true (and counted) when it failed for lack of space.
    func isFullFailure(_ error: any Error) -> Bool {
        guard isFullError(error) else { return false }
        noteFull()
        return true
    }

    /// True when the database is away for now: the request is answered 503 and may be sent again.
    func isUnavailableFailure(_ error: any Error) -> Bool {
        guard isUnavailableError(error) else { return false }
        Counter(label: "dispatcher_database_unavailable_refusals_total").increment()
        return true
    }

    /// While full, tries one small write to learn whether space has returned.
    func probe(_ store: any StoreHealth) async -> Bool {
        guard isFull else { return true }
        guard hasRoomAgain else { return false }
        do {
            try await store.probeWrite()
            noteWritten()
            return true
        } catch {
            return false
        }
    }
}
