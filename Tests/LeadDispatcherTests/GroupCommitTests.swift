import Foundation
import Synchronization
import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// Records what each commit received; the first commit can be held until the test releases it, so
/// that later requests gather behind it as they do behind a slow fsync.
final class CommitLog: Sendable {
    private let batches = Mutex<[[Int]]>([])
    /// The held first commit: released, or waiting to be (async, or a blocked thread's semaphore).
    private let gate = Mutex<(released: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    private let blockedGate = DispatchSemaphore(value: 0)
    let holdsFirstCommit: Bool
    let failing: Int?

    init(holdsFirstCommit: Bool = false, failing: Int? = nil) {
        self.holdsFirstCommit = holdsFirstCommit
        self.failing = failing
    }

    var recorded: [[Int]] { batches.withLock { $0 } }

    /// Lets the held first commit finish.
    func release() {
        let waiter = gate.withLock { gate -> CheckedContinuation<Void, Never>? in
            gate.released = true
            defer { gate.waiter = nil }
            return gate.waiter
        }
        waiter?.resume()
        blockedGate.signal()
    }

    func commit(_ items: [Int]) async throws -> [String] {
        let isFirst = batches.withLock { batches in
            batches.append(items)
            return batches.count == 1
        }
        if isFirst, holdsFirstCommit {
            await withCheckedContinuation { continuation in
                let released = gate.withLock { gate -> Bool in
                    if !gate.released { gate.waiter = continuation }
                    return gate.released
                }
                if released { continuation.resume() }
            }
        }
        if let failing, items.contains(failing) { throw CommitFailure() }
        return items.map { "committed \($0)" }
    }

    /// The same, blocking its thread as a synchronous database write does.
    func blockingCommit(_ items: [Int]) throws -> [String] {
        let isFirst = batches.withLock { batches in
            batches.append(items)
            return batches.count == 1
        }
        if isFirst, holdsFirstCommit { blockedGate.wait() }
        if let failing, items.contains(failing) { throw CommitFailure() }
        return items.map { "committed \($0)" }
    }

    struct CommitFailure: Error {}
}

extension GroupCommit {
    /// Submits `items` while the first commit is held, and releases it once every one of them is
    /// waiting for the next commit: they gather behind it, on a busy machine as on an idle one.
    func submitBehindHeldCommit(_ items: ClosedRange<Int>, log: CommitLog) async throws -> [Int: Result<Output, any Error>] where Item == Int {
        try await waitUntil("the first commit has begun") { log.recorded.count == 1 }
        return try await withThrowingTaskGroup(of: (Int, Result<Output, any Error>)?.self) { group in
            for item in items {
                group.addTask { (item, await Result(catchingAsync: { try await self.submit(item) })) }
            }
            group.addTask {
                try await waitUntil("every request waits behind the held commit") { self.waitingCount == items.count }
                log.release()
                return nil
            }
            var results: [Int: Result<Output, any Error>] = [:]
            for try await case let (item, result)? in group { results[item] = result }
            return results
        }
    }
}

/// Ingest commits from a thread of its own (`blocking`), delivery from the concurrency pool (`async`):
/// both keep the same promises.
enum CommitterKind: CaseIterable, Sendable {
    case async, blocking

    func groupCommit(_ log: CommitLog, maxBatch: Int, maxWait: Duration = .zero) -> GroupCommit<Int, String> {
        switch self {
        case .async: GroupCommit(path: "test", maxBatch: maxBatch, maxWait: maxWait) { try await log.commit($0) }
        case .blocking: GroupCommit(path: "test", maxBatch: maxBatch, maxWait: maxWait, blockingCommit: { try log.blockingCommit($0) })
        }
    }
}

@Suite struct GroupCommitTests {
    @Test(arguments: CommitterKind.allCases)
    func aLoneRequestIsCommittedAtOnceOnItsOwn(_ kind: CommitterKind) async throws {
        let log = CommitLog()
        let commits = kind.groupCommit(log, maxBatch: 100)
        #expect(try await commits.submit(7) == "committed 7")
        #expect(log.recorded == [[7]])
    }

    @Test(arguments: CommitterKind.allCases)
    func requestsArrivingDuringACommitShareTheNextOneAndEachGetsItsOwnAnswer(_ kind: CommitterKind) async throws {
        let log = CommitLog(holdsFirstCommit: true)
        let commits = kind.groupCommit(log, maxBatch: 100)
        async let first = commits.submit(0)
        let answers = try await commits.submitBehindHeldCommit(1...40, log: log)
        #expect(try await first == "committed 0")
        for item in 1...40 { #expect(try answers[item]?.get() == "committed \(item)") }
        let batches = log.recorded
        #expect(batches.first == [0])
        // The forty waited behind the slow first commit and went in one transaction.
        #expect(batches.count == 2, "\(batches)")
        #expect(Set(batches.dropFirst().joined()) == Set(1...40))
    }

    @Test(arguments: CommitterKind.allCases)
    func aBatchNeverExceedsItsLimit(_ kind: CommitterKind) async throws {
        let log = CommitLog(holdsFirstCommit: true)
        let commits = kind.groupCommit(log, maxBatch: 8)
        async let first = commits.submit(0)
        let results = try await commits.submitBehindHeldCommit(1...30, log: log)
        #expect(results.values.allSatisfy { (try? $0.get()) != nil })
        _ = try await first
        let batches = log.recorded
        #expect(batches.allSatisfy { $0.count <= 8 }, "\(batches)")
        #expect(batches.joined().count == 31)
        #expect(batches.count >= 5)
    }

    @Test(arguments: CommitterKind.allCases)
    func aFailedBatchFailsOnlyTheRequestAtFault(_ kind: CommitterKind) async throws {
        let log = CommitLog(holdsFirstCommit: true, failing: 13)
        let commits = kind.groupCommit(log, maxBatch: 100)
        async let first = commits.submit(0)
        let results = try await commits.submitBehindHeldCommit(1...20, log: log).mapValues { (try? $0.get()) != nil }
        _ = try await first
        #expect(results[13] == false)
        for item in 1...20 where item != 13 { #expect(results[item] == true, "item \(item)") }
        // The twenty went together, failed, and were then committed one by one.
        #expect(log.recorded.filter { $0.count == 1 }.count == 21, "\(log.recorded)")
    }

    @Test(arguments: CommitterKind.allCases)
    func aWaitGathersRequestsThatArriveJustAfterEachOther(_ kind: CommitterKind) async throws {
        let log = CommitLog()
        // The first request waits for company; the other nine are sent once it waits. The window is far
        // longer than a loaded machine needs to start nine tasks, so the test does not hang on its timing
        // (the commit comes when the window ends: this test takes its length).
        let commits = kind.groupCommit(log, maxBatch: 100, maxWait: .seconds(8))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await commits.submit(1) }
            try await waitUntil("the first request waits for the commit") { commits.waitingCount == 1 }
            for item in 2...10 {
                group.addTask { _ = try await commits.submit(item) }
            }
            try await group.waitForAll()
        }
        #expect(log.recorded.count == 1, "\(log.recorded)")
        #expect(log.recorded.first?.sorted() == Array(1...10))
    }
}
