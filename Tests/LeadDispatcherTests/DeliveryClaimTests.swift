import Foundation
import LeadPolicy
import Logging
import Synchronization
import Testing

@testable import LeadDispatcher
@testable import LeadStore
import DispatcherStores
import LeadStoreSQLite

/// The delivery loop keeps the CRM busy while it claims more leads: a claim is a write transaction,
/// and the writer may be busy with an ingest batch or the records of attempts for a while.
@Suite struct DeliveryClaimTests {
    /// The first claim hands out `leads` leads; every later claim waits until the test ends, as a
    /// claim stuck behind the writer would. Attempts are kept, not written anywhere.
    final class HeldOutbox: OutboxRepository, Sendable {
        private struct State {
            var handedOut = false
            var heldClaims = 0
            var recorded: [RecordedAttempt] = []
        }

        let leads: Int
        let crmURL: String
        private let state = Mutex(State())

        init(leads: Int, crmURL: String) {
            self.leads = leads
            self.crmURL = crmURL
        }

        var heldClaims: Int { state.withLock { $0.heldClaims } }
        var recorded: [RecordedAttempt] { state.withLock { $0.recorded } }

        func releaseClaims() async throws {}

        func claimDueJobs(limit: Int, now: Date, lease: TimeInterval) async throws -> [DeliveryJob] {
            let first = state.withLock { state in
                defer { state.handedOut = true }
                if state.handedOut { state.heldClaims += 1 }
                return !state.handedOut
            }
            guard first else {
                // Held until the worker is cancelled at the end of the test.
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
                return []
            }
            return (0..<min(limit, leads)).map { index in
                DeliveryJob(leadID: "ld_\(index)", fields: ["fname": .string("Lead \(index)")],
                            target: .agent(agentID: "agent-\(index % 3)", accountID: "acme"), apiKey: "key-\(index % 3)",
                            crmURL: crmURL, attempts: 0, rejections: 0)
            }
        }

        func record(_ attempts: [RecordedAttempt]) async throws {
            state.withLock { $0.recorded.append(contentsOf: attempts) }
        }

        func postpone(_ job: DeliveryJob, until: Date) async throws {}
        func nextDueDate() async throws -> Date? { Date() }
        func pipelineSnapshot() async throws -> PipelineSnapshot {
            PipelineSnapshot(outboxDepth: 0, oldestPendingReceivedAt: nil, deadLeads: 0)
        }
    }

    /// Every lead of the first claim reaches the CRM although the next claim never comes back: the
    /// loop asks for more while it still holds leads, and goes on starting them meanwhile. (A loop that
    /// claimed in line stopped with the last of them unstarted, waiting for the claim.)
    @Test func deliveriesKeepStartingWhileTheNextClaimWaits() async throws {
        let server = try await StandInServer.start()
        var settings = DispatcherSettings()
        settings.crmURL = server.url
        settings.deliveryConcurrency = 2
        let leads = 64
        let outbox = HeldOutbox(leads: leads, crmURL: server.url)
        let worker = DeliveryWorker(outbox: outbox, settings: settings, wakeUp: DeliveryWakeUp(),
                                    breaker: CircuitBreaker(threshold: 5, initialCoolDown: 1, maxCoolDown: 1),
                                    logger: Logger(label: "test"))
        #expect(worker.claimBatch == leads, "one claim holds all of the test's leads")
        let running = Task { try await worker.run() }
        try await waitUntil("every lead reached the CRM") { await server.crm.received.count >= leads }
        let received = await server.crm.received.count
        #expect(received == leads, "received \(received), recorded \(outbox.recorded.count)")
        #expect(outbox.heldClaims >= 1, "the next claim was asked for before the last lead started")
        try await waitUntil("every attempt is recorded") { outbox.recorded.count >= leads }
        #expect(outbox.recorded.count == leads)
        #expect(outbox.recorded.allSatisfy { $0.outcome == .delivered })
        running.cancel()
        _ = try? await running.value
        await server.stop()
    }

    /// An outbox with nothing due: it counts the claims asked of it.
    final class EmptyOutbox: OutboxRepository, Sendable {
        private let claimsMade = Mutex(0)
        var claims: Int { claimsMade.withLock { $0 } }

        func releaseClaims() async throws {}
        func claimDueJobs(limit: Int, now: Date, lease: TimeInterval) async throws -> [DeliveryJob] {
            claimsMade.withLock { $0 += 1 }
            return []
        }
        func record(_ attempts: [RecordedAttempt]) async throws {}
        func postpone(_ job: DeliveryJob, until: Date) async throws {}
        func nextDueDate() async throws -> Date? { nil }
        func pipelineSnapshot() async throws -> PipelineSnapshot {
            PipelineSnapshot(outboxDepth: 0, oldestPendingReceivedAt: nil, deadLeads: 0)
        }
    }

    /// With nothing to deliver, the worker claims once and then sleeps until a lead arrives (here:
    /// its wake-up rings) or a second has passed; every claim is a write transaction. (A worker that
    /// claimed again at once made a claim every 5 ms.) Bounds, not exact counts: a test run loads the
    /// machine, and a late timer only makes claims rarer.
    @Test func anIdleWorkerClaimsOnlyWhenALeadMayBeDue() async throws {
        var settings = DispatcherSettings()
        settings.deliveryConcurrency = 4
        let outbox = EmptyOutbox()
        let wakeUp = DeliveryWakeUp()
        let worker = DeliveryWorker(outbox: outbox, settings: settings, wakeUp: wakeUp,
                                    breaker: CircuitBreaker(threshold: 5, initialCoolDown: 1, maxCoolDown: 1),
                                    logger: Logger(label: "test"))
        let running = Task { try await worker.run() }
        func waitForClaims(above count: Int) async throws {
            try await waitUntil("a claim after the first \(count)") { outbox.claims > count }
        }
        try await waitForClaims(above: 0)
        try await Task.sleep(for: .milliseconds(500))
        let idle = outbox.claims
        #expect((1...2).contains(idle), "half a second idle: the first claim and at most the one a second later")
        wakeUp.wake()
        try await waitForClaims(above: idle)
        #expect(outbox.claims > idle, "a new lead is claimed")
        running.cancel()
        _ = try? await running.value
    }
}
