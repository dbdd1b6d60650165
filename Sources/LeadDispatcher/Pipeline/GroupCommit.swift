import Metrics
import Synchronization

/// Gathers concurrent requests for the single SQLite writer into batches, so that one transaction
/// (one `fsync` under `synchronous=FULL`) serves many of them.
///
/// A request arriving while no batch is being committed starts one at once, so a lone lead waits for
/// nothing. Requests arriving while a batch commits gather; the next batch takes them all, in arrival
/// order, up to `maxBatch`. With `maxWait` above zero a batch that is not yet full first waits that
/// long for company (more leads per `fsync`, at the price of that much latency).
///
/// Each caller is answered only after the batch holding its item has committed. When a batch fails,
/// its items are committed again one by one, so only the item that cannot be committed fails.
final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    typealias Commit = @Sendable ([Item]) async throws -> [Output]

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
    let maxWait: Duration
    private let commit: Commit
    private let queue = Mutex(Queue())
    private let batchSize: Recorder
    private let batchDuration: Metrics.Timer

    init(path: String, maxBatch: Int, maxWait: Duration = .zero, commit: @escaping Commit) {
        precondition(maxBatch >= 1, "a batch holds at least one item")
        self.path = path
        self.maxBatch = maxBatch
        self.maxWait = maxWait
        self.commit = commit
        self.batchSize = Recorder(label: "dispatcher_commit_batch_size", dimensions: [("path", path)], aggregate: true)
        self.batchDuration = Metrics.Timer(label: "dispatcher_commit_duration_seconds", dimensions: [("path", path)])
    }

    /// Commits `item` with whatever else is waiting, and returns its result once that commit is durable.
    func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startsBatch = queue.withLock { queue in
                queue.waiting.append(Waiting(item: item, continuation: continuation))
                guard !queue.committing else { return false }
                queue.committing = true
                return true
            }
            if startsBatch {
                Task { await self.drain() }
            }
        }
    }

    /// Commits batches until nothing waits. Only one drain runs at a time (`committing`), which keeps
    /// the batches, and the routing decisions inside them, in arrival order.
    private func drain() async {
        while true {
            if maxWait > .zero, queue.withLock({ $0.waiting.count }) < maxBatch {
                try? await Task.sleep(for: maxWait)
            }
            let batch: [Waiting] = queue.withLock { queue in
                let count = min(maxBatch, queue.waiting.count)
                let batch = Array(queue.waiting.prefix(count))
                queue.waiting.removeFirst(count)
                if batch.isEmpty { queue.committing = false }
                return batch
            }
            if batch.isEmpty { return }
            await run(batch)
        }
    }

    private func run(_ batch: [Waiting]) async {
        let started = ContinuousClock.now
        defer {
            batchSize.record(batch.count)
            batchDuration.recordElapsed(since: started)
        }
        let outputs: [Output]
        do {
            outputs = try await commit(batch.map(\.item))
        } catch {
            guard batch.count > 1 else {
                batch[0].continuation.resume(throwing: error)
                return
            }
            // Nothing of the batch was committed (the transaction rolled back): find the item at fault.
            for waiting in batch {
                do {
                    let outputs = try await commit([waiting.item])
                    guard let output = outputs.first, outputs.count == 1 else { throw GroupCommitError.outputCount(expected: 1, got: outputs.count) }
                    waiting.continuation.resume(returning: output)
                } catch {
                    waiting.continuation.resume(throwing: error)
                }
            }
            return
        }
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

enum GroupCommitError: Error, CustomStringConvertible {
    case outputCount(expected: Int, got: Int)

    var description: String {
        switch self {
        case .outputCount(let expected, let got): "a commit of \(expected) items returned \(got) results"
        }
    }
}

extension Metrics.Timer {
    func recordElapsed(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
