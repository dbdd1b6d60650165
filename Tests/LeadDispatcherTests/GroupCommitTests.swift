import Foundation
import Synchronization
import Testing

@testable import LeadDispatcher

/// Records what each commit received; the first commit can be held back, so that later requests
/// gather behind it as they do behind a slow fsync.
final class CommitLog: Sendable {
    private let batches = Mutex<[[Int]]>([])
    let firstCommitDelay: Duration
    let failing: Int?

    init(firstCommitDelay: Duration = .zero, failing: Int? = nil) {
        self.firstCommitDelay = firstCommitDelay
        self.failing = failing
    }

    var recorded: [[Int]] { batches.withLock { $0 } }

    func commit(_ items: [Int]) async throws -> [String] {
        let isFirst = batches.withLock { batches in
            batches.append(items)
            return batches.count == 1
        }
        if isFirst, firstCommitDelay > .zero { try await Task.sleep(for: firstCommitDelay) }
        if let failing, items.contains(failing) { throw CommitFailure() }
        return items.map { "committed \($0)" }
    }

    /// The same, blocking its thread as a synchronous database write does.
    func blockingCommit(_ items: [Int]) throws -> [String] {
        let isFirst = batches.withLock { batches in
            batches.append(items)
            return batches.count == 1
        }
        if isFirst, firstCommitDelay > .zero {
            Thread.sleep(forTimeInterval: Double(firstCommitDelay.components.attoseconds) / 1e18 + Double(firstCommitDelay.components.seconds))
        }
        if let failing, items.contains(failing) { throw CommitFailure() }
        return items.map { "committed \($0)" }
    }

    struct CommitFailure: Error {}
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
        let log = CommitLog(firstCommitDelay: .milliseconds(200))
        let commits = kind.groupCommit(log, maxBatch: 100)
        async let first = commits.submit(0)
        try await Task.sleep(for: .milliseconds(50))
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for item in 1...40 {
                group.addTask { (item, try await commits.submit(item)) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(try await first == "committed 0")
        for item in 1...40 { #expect(answers[item] == "committed \(item)") }
        let batches = log.recorded
        #expect(batches.first == [0])
        // The forty waited behind the slow first commit and went in one transaction.
        #expect(batches.count == 2, "\(batches)")
        #expect(Set(batches.dropFirst().joined()) == Set(1...40))
    }

    @Test(arguments: CommitterKind.allCases)
    func aBatchNeverExceedsItsLimit(_ kind: CommitterKind) async throws {
        let log = CommitLog(firstCommitDelay: .milliseconds(200))
        let commits = kind.groupCommit(log, maxBatch: 8)
        async let first = commits.submit(0)
        try await Task.sleep(for: .milliseconds(50))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in 1...30 { group.addTask { _ = try await commits.submit(item) } }
            try await group.waitForAll()
        }
        _ = try await first
        let batches = log.recorded
        #expect(batches.allSatisfy { $0.count <= 8 }, "\(batches)")
        #expect(batches.joined().count == 31)
        #expect(batches.count >= 5)
    }

    @Test(arguments: CommitterKind.allCases)
    func aFailedBatchFailsOnlyTheRequestAtFault(_ kind: CommitterKind) async throws {
        let log = CommitLog(firstCommitDelay: .milliseconds(200), failing: 13)
        let commits = kind.groupCommit(log, maxBatch: 100)
        async let first = commits.submit(0)
        try await Task.sleep(for: .milliseconds(50))
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for item in 1...20 {
                group.addTask { (item, (try? await commits.submit(item)) != nil) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        _ = try await first
        #expect(results[13] == false)
        for item in 1...20 where item != 13 { #expect(results[item] == true, "item \(item)") }
        // The twenty went together, failed, and were then committed one by one.
        #expect(log.recorded.filter { $0.count == 1 }.count == 21, "\(log.recorded)")
    }

    @Test(arguments: CommitterKind.allCases)
    func aWaitGathersRequestsThatArriveJustAfterEachOther(_ kind: CommitterKind) async throws {
        let log = CommitLog()
        let commits = kind.groupCommit(log, maxBatch: 100, maxWait: .milliseconds(300))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in 1...10 {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(5 * item))
                    _ = try await commits.submit(item)
                }
            }
            try await group.waitForAll()
        }
        #expect(log.recorded.count == 1, "\(log.recorded)")
    }
}
