import Dispatch
import Foundation
import Metrics
import Synchronization

/// Gathers concurrent requests for the single SQLite writer into batches, so that one transaction
/// (one `fsync` under `synchronous=FULL`) serves many of them.
///
/// A request arriving while no batch is being committed starts one at once, so a lone lead waits for
/// nothing. Requests arriving while a batch commits gather; the next batch takes them all, in arrival
/// order, up to `maxBatch`. With `maxWait` above zero a batch that is not yet full first waits that
/// long for company (more leads per `fsync`, at the price of that much latency). The wait is asked for
/// at each batch, so a path can wait longer while another needs the writer more.
///
/// Each caller is answered only after the batch holding its item has committed. When a batch fails,
/// its items are committed again one by one, so only the item that cannot be committed fails.
final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    typealias Commit = @Sendable ([Item]) async throws -> [Output]
    typealias BlockingCommit = @Sendable ([Item]) throws -> [Output]

    private enum Committer: Sendable {
        case async(Commit)
        /// Batches run one after another on a serial queue of their own, whose thread the commit
        /// blocks: no thread of the concurrency pool waits, and no batch waits for one to be free.
        case blocking(BlockingCommit, DispatchQueue)
    }

    private struct Waiting {
        let item: Item
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var committing = false
    }

    /// Names the writer path in the metrics (`ingest`, `delivery`).
    let path: String
    let maxBatch: Int
    /// How long a batch that is not full waits for company, asked before each batch.
    let maxWait: @Sendable () -> Duration
    private let committer: Committer
    private let queue = Mutex(Queue())
    private let batchSize: Recorder
    private let batchDuration: Metrics.Timer

    convenience init(path: String, maxBatch: Int, maxWait: Duration = .zero, commit: @escaping Commit) {
        self.init(path: path, maxBatch: maxBatch, maxWait: { maxWait }, committer: .async(commit))
    }

    convenience init(path: String, maxBatch: Int, maxWait: @escaping @Sendable () -> Duration, commit: @escaping Commit) {
        self.init(path: path, maxBatch: maxBatch, maxWait: maxWait, committer: .async(commit))
    }

    /// Commits on a thread of its own, with a commit that blocks until it is durable.
    convenience init(path: String, maxBatch: Int, maxWait: Duration = .zero, blockingCommit: @escaping BlockingCommit) {
        let thread = DispatchQueue(label: "lead-dispatcher.commit.\(path)", qos: .userInitiated)
        self.init(path: path, maxBatch: maxBatch, maxWait: { maxWait }, committer: .blocking(blockingCommit, thread))
    }

    private init(path: String, maxBatch: Int, maxWait: @escaping @Sendable () -> Duration, committer: Committer) {
        precondition(maxBatch >= 1, "a batch holds at least one item")
        self.path = path
        self.maxBatch = maxBatch
        self.maxWait = maxWait
        self.committer = committer
        self.batchSize = Recorder(label: "dispatcher_commit_batch_size", dimensions: [("path", path)], aggregate: true)
        self.batchDuration = Metrics.Timer(label: "dispatcher_commit_duration_seconds", dimensions: [("path", path)])
    }

    /// Commits `item` with whatever else is waiting, and returns its result once that commit is durable.
    /// Requests waiting for a commit (not yet in one).
    var waitingCount: Int { queue.withLock { $0.waiting.count } }

    func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startsBatch = queue.withLock { queue in
                queue.waiting.append(Waiting(item: item, continuation: continuation))
                guard !queue.committing else { return false }
                queue.committing = true
                return true
            }
            guard startsBatch else { return }
            switch committer {
            case .async(let commit):
                Task { await self.drain(commit) }
            case .blocking(let commit, let thread):
                thread.async { self.drain(commit) }
            }
        }
    }

    // Only one drain runs at a time (`committing`), which keeps the batches, and the routing decisions
    // inside them, in arrival order. Each commits batches until nothing waits.

    private func drain(_ commit: Commit) async {
        while true {
            let wait = maxWait()
            if wait > .zero, !isFull() {
                try? await Task.sleep(for: wait)
            }
            let batch = takeBatch()
            if batch.isEmpty { return }
            let started = ContinuousClock.now
            let outputs = await Result(catchingAsync: { try await commit(batch.map(\.item)) })
            var singles: [Result<Output, any Error>] = []
            if case .failure = outputs, batch.count > 1 {
                for waiting in batch {
                    singles.append(await Result(catchingAsync: { try Self.single(try await commit([waiting.item])) }))
                }
            }
            finish(batch, outputs: outputs, singles: singles, started: started)
        }
    }

    private func drain(_ commit: BlockingCommit) {
        while true {
            let wait = maxWait()
            if wait > .zero, !isFull() {
                Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            }
            let batch = takeBatch()
            if batch.isEmpty { return }
            let started = ContinuousClock.now
            let outputs = Result(catching: { try commit(batch.map(\.item)) })
            var singles: [Result<Output, any Error>] = []
            if case .failure = outputs, batch.count > 1 {
                for waiting in batch {
                    singles.append(Result(catching: { try Self.single(try commit([waiting.item])) }))
                }
            }
            finish(batch, outputs: outputs, singles: singles, started: started)
        }
    }

    private func isFull() -> Bool {
        queue.withLock { $0.waiting.count } >= maxBatch
    }

    /// The next batch, in arrival order; empty (and the drain ends) when nothing waits.
    private func takeBatch() -> [Waiting] {
        queue.withLock { queue in
            let count = min(maxBatch, queue.waiting.count)
            let batch = Array(queue.waiting.prefix(count))
            queue.waiting.removeFirst(count)
            if batch.isEmpty { queue.committing = false }
            return batch
        }
    }

    private static func single(_ outputs: [Output]) throws -> Output {
        guard let output = outputs.first, outputs.count == 1 else {
            throw GroupCommitError.outputCount(expected: 1, got: outputs.count)
        }
        return output
    }

    /// Answers a batch's callers. `singles` holds, when the batch failed, each item committed alone:
    /// nothing of a failed batch was committed (the transaction rolled back), so this finds the item at
    /// fault and commits the others.
    private func finish(_ batch: [Waiting], outputs: Result<[Output], any Error>, singles: [Result<Output, any Error>],
                        started: ContinuousClock.Instant) {
        batchSize.record(batch.count)
        batchDuration.recordElapsed(since: started)
        switch outputs {
        case .failure(let error):
            guard batch.count > 1 else {
                batch[0].continuation.resume(throwing: error)
                return
            }
            for (waiting, result) in zip(batch, singles) {
                waiting.continuation.resume(with: result)
            }
        case .success(let outputs):
            // The commit happened; a wrong count is a bug in the committer, never a reason to commit again.
            guard outputs.count == batch.count else {
                for waiting in batch {
                    waiting.continuation.resume(throwing: GroupCommitError.outputCount(expected: batch.count, got: outputs.count))
                }
                return
            }
            for (waiting, output) in zip(batch, outputs) {
                waiting.continuation.resume(returning: output)
            }
        }
    }
}

enum GroupCommitError: Error, CustomStringConvertible {
    case outputCount(expected: Int, got: Int)

    var description: String {
        switch self {
        case .outputCount(let expected, let got): "a commit of \(expected) items returned \(got) results"
        }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body (the standard library has only the synchronous form).
    init(catchingAsync body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}

extension Metrics.Timer {
    func recordElapsed(since start: ContinuousClock.Instant) {
        recordNanoseconds((ContinuousClock.now - start).nanoseconds)
    }
}
