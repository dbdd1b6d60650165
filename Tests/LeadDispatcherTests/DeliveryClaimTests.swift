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

        func renewClaims(_ leadIDs: [String], until: Date) async throws -> Set<String> { Set(leadIDs) }

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
        // Alone this takes a tenth of a second; beside the whole suite on two cores, each of the 64
        // deliveries waits its turns of the shared pool, and runs near half a minute were seen.
        try await waitUntil("every lead reached the CRM", timeout: .seconds(120)) { await server.crm.received.count >= leads }
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
        func renewClaims(_ leadIDs: [String], until: Date) async throws -> Set<String> { [] }
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

    /// Hands out `ld_0`…`ld_3` in one claim, then `ld_4` once a renewal has come; renews every claim
    /// asked of it but `ld_3`'s, as if another instance had taken that one over.
    final class RenewingOutbox: OutboxRepository, Sendable {
        private struct State {
            /// Claims that handed leads out.
            var claims = 0
            var renewals: [(ids: Set<String>, until: Date, at: Date)] = []
            var recorded: [String] = []
        }

        let crmURL: String
        private let state = Mutex(State())

        init(crmURL: String) {
            self.crmURL = crmURL
        }

        var renewals: [(ids: Set<String>, until: Date, at: Date)] { state.withLock { $0.renewals } }
        var recorded: [String] { state.withLock { $0.recorded } }

        func job(_ index: Int) -> DeliveryJob {
            DeliveryJob(leadID: "ld_\(index)", fields: ["fname": .string("Lead \(index)")], target: .admin(accountID: "acme"),
                        apiKey: "key-admin", crmURL: crmURL, attempts: 0, rejections: 0)
        }

        func releaseClaims() async throws {}
        func claimDueJobs(limit: Int, now: Date, lease: TimeInterval) async throws -> [DeliveryJob] {
            let handOut: [Int] = state.withLock { state in
                switch state.claims {
                case 0:
                    state.claims = 1
                    return Array(0..<4)
                case 1 where !state.renewals.isEmpty:
                    state.claims = 2
                    return [4]
                default:
                    return []
                }
            }
            return handOut.map(job)
        }
        func renewClaims(_ leadIDs: [String], until: Date) async throws -> Set<String> {
            state.withLock { $0.renewals.append((Set(leadIDs), until, Date())) }
            return Set(leadIDs).subtracting(["ld_3"])
        }
        func record(_ attempts: [RecordedAttempt]) async throws {
            state.withLock { $0.recorded.append(contentsOf: attempts.map(\.leadID)) }
        }
        func postpone(_ job: DeliveryJob, until: Date) async throws {}
        func nextDueDate() async throws -> Date? { Date() }
        func pipelineSnapshot() async throws -> PipelineSnapshot {
            PipelineSnapshot(outboxDepth: 0, oldestPendingReceivedAt: nil, deadLeads: 0)
        }
    }

    /// The worker renews the claims it holds — waiting their turn, in flight — every third of a lease,
    /// for another lease; a claim the store says it no longer holds is not delivered by it.
    @Test func heldClaimsAreRenewedAndALostOneIsNotDelivered() async throws {
        let server = try await StandInServer.start()
        // Each answer takes a second: one lead at a time, the last of the first claim starts after three.
        await server.crm.answer(otherwise: .slow(seconds: 1))
        var settings = DispatcherSettings()
        settings.crmURL = server.url
        settings.deliveryConcurrency = 1
        settings.deliveryTimeout = 2
        settings.claimLeaseMargin = 1
        let outbox = RenewingOutbox(crmURL: server.url)
        let worker = DeliveryWorker(outbox: outbox, settings: settings, wakeUp: DeliveryWakeUp(),
                                    breaker: CircuitBreaker(threshold: 5, initialCoolDown: 1, maxCoolDown: 1),
                                    logger: Logger(label: "test"))
        #expect(worker.lease == 3)
        let running = Task { try await worker.run() }
        try await waitUntil("the lead claimed after the renewal is delivered") { outbox.recorded.contains("ld_4") }
        let first = try #require(outbox.renewals.first)
        #expect(first.ids.isSuperset(of: ["ld_2", "ld_3"]), "leads waiting their turn are renewed: \(first.ids)")
        #expect(abs(first.until.timeIntervalSince(first.at) - 3) < 0.5, "for another lease")
        let sent = await server.crm.received.compactMap { $0.fields["fname"]?.stringValue }
        #expect(!sent.contains("Lead 3"), "the claim taken over is left to its new owner: \(sent)")
        #expect(Set(sent) == ["Lead 0", "Lead 1", "Lead 2", "Lead 4"], "\(sent)")
        running.cancel()
        _ = try? await running.value
        await server.stop()
    }
}
