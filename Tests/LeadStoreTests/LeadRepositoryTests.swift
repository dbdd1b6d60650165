import Foundation
import LeadPolicy
import LeadStore
import Testing

/// On both databases: every test runs on SQLite and on PostgreSQL.
@Suite struct LeadRepositoryTests {
    let utc = TimeZone(identifier: "UTC")!

    func seed(_ store: some PolicyRepository, weights: (Int, Int) = (3, 1), cap: Int? = nil, stickyDays: Int = 0) async throws {
        try await store.modifyPolicy(actor: .cli("test")) { draft in
            draft.policy = Policy(
                accounts: [Account(id: "acme", name: "Acme")],
                agents: [Agent(id: "a", accountID: "acme", name: "A", weight: weights.0, dailyCap: cap),
                         Agent(id: "b", accountID: "acme", name: "B", weight: weights.1)],
                pools: [Pool(id: "p", name: "P", members: [.init(agentID: "a"), .init(agentID: "b")], stickyDays: stickyDays)],
                rules: [Rule(id: "buyers", name: "Buyers", priority: 1, match: .init(tagsAny: ["buyer"]), action: .pool(poolID: "p"))])
            draft.setSecret("bb-admin-key-0000001", for: SecretOwner(kind: Account.kind, id: "acme"))
            draft.setSecret("bb-agent-a-key-00001", for: SecretOwner(kind: Agent.kind, id: "a"))
            draft.setSecret("bb-agent-b-key-00002", for: SecretOwner(kind: Agent.kind, id: "b"))
        }
    }

    func submission(email: String? = nil, tags: [String] = ["buyer"]) -> LeadSubmission {
        var fields: [String: JSONValue] = ["fname": .string("Pat"), "tags": .string(tags.joined(separator: ","))]
        if let email { fields["email"] = .string(email) }
        return LeadSubmission(vendorID: "v", fields: fields, lead: Lead(vendorID: "v", email: email, tags: tags))
    }

    @Test(arguments: StoreKind.allCases) func anAcceptedLeadIsStoredWithItsDecisionAndQueued(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let accepted = try #require(try await store.accept([submission(email: "Pat@Example.com")], dayTimeZone: utc).first)
        #expect(accepted.status == .queued)
        #expect(accepted.leadID.hasPrefix("ld_"))
        let lead = try #require(try await store.lead(id: accepted.leadID))
        #expect(lead.status == .queued)
        #expect(lead.email == "pat@example.com")
        #expect(lead.ruleID == "buyers")
        #expect(lead.target == .agent(agentID: "a", accountID: "acme"))
        #expect(lead.fields["fname"] == .string("Pat"))
        #expect(lead.decision == accepted.decision)
        let jobs = try await store.claimDueJobs(limit: 10, now: Date().addingTimeInterval(1), lease: 30)
        #expect(jobs.map(\.leadID) == [accepted.leadID])
        #expect(jobs.first?.apiKey == "bb-agent-a-key-00001")
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func anUnmatchedLeadIsKeptUnroutedAndNotQueued(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let accepted = try #require(try await store.accept([submission(tags: ["seller"])], dayTimeZone: utc).first)
        #expect(accepted.status == .unrouted)
        #expect(try await store.lead(id: accepted.leadID)?.status == .unrouted)
        #expect(try await store.claimDueJobs(limit: 10, now: Date().addingTimeInterval(1), lease: 30).isEmpty)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func fortyConcurrentLeadsOverWeightsThreeToOneGiveThirtyAndTen(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let targets = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<40 {
                group.addTask { try await store.accept([submission()], dayTimeZone: utc).first?.decision?.target?.agentID }
            }
            return try await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
        }
        #expect(targets.filter { $0 == "a" }.count == 30)
        #expect(targets.filter { $0 == "b" }.count == 10)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func oneBatchRotatesExactlyAsLeadsOneByOneAndStoresTheRotation(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        try await seed(opened.store, weights: (1, 1))
        let batch = try await opened.store.accept((0..<5).map { _ in submission() }, dayTimeZone: utc)
        var targets = batch.map { $0.decision?.target?.agentID ?? "-" }
        // The rotation is written once per batch; after a restart it continues where the batch left it.
        let reopened = try await opened.reopen()
        targets.append(try await reopened.store.accept([submission()], dayTimeZone: utc).first?.decision?.target?.agentID ?? "-")
        #expect(targets == ["a", "b", "a", "b", "a", "b"])
        await reopened.close()
    }

    @Test(arguments: StoreKind.allCases) func thePipelineSnapshotCountsTheOutboxItsOldestLeadAndDeadLeads(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        #expect(try await store.pipelineSnapshot() == PipelineSnapshot(outboxDepth: 0, oldestPendingReceivedAt: nil, deadLeads: 0))
        let oldest = Date(timeIntervalSince1970: 1_790_000_000)
        var first = submission()
        first.receivedAt = oldest
        let accepted = try await store.accept([first, submission(), submission()], dayTimeZone: utc)
        var snapshot = try await store.pipelineSnapshot()
        #expect(snapshot.outboxDepth == 3)
        #expect(abs((snapshot.oldestPendingReceivedAt ?? .distantFuture).timeIntervalSince(oldest)) < 0.01)
        #expect(snapshot.deadLeads == 0)
        let attempt = DeliveryAttempt(at: Timestamp.string(Date()), httpStatus: 401, crmSuccess: nil, error: "http_4xx", durationMS: 1, responseBody: nil)
        // Claimed first, as a delivery is: only a claim's owner records its outcome.
        #expect(try await store.claimDueJobs(limit: 10, now: Date().addingTimeInterval(1), lease: 30).count == 3)
        try await store.record([RecordedAttempt(leadID: accepted[0].leadID, attempt: attempt, outcome: .dead)])
        snapshot = try await store.pipelineSnapshot()
        #expect(snapshot.outboxDepth == 2)
        #expect(snapshot.deadLeads == 1)
        #expect((snapshot.oldestPendingReceivedAt ?? oldest) > oldest)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func theRotationContinuesAcrossARestart(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        try await seed(opened.store, weights: (1, 1))
        var sequence = [try await opened.store.accept([submission()], dayTimeZone: utc).first?.decision?.target?.agentID ?? "-"]
        let reopened = try await opened.reopen()
        for _ in 0..<3 {
            sequence.append(try await reopened.store.accept([submission()], dayTimeZone: utc).first?.decision?.target?.agentID ?? "-")
        }
        #expect(sequence == ["a", "b", "a", "b"])
        await reopened.close()
    }

    @Test(arguments: StoreKind.allCases) func dailyCapsCountStoredLeads(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store, weights: (1, 1), cap: 1)
        var targets: [String] = []
        for _ in 0..<4 {
            targets.append(try await store.accept([submission()], dayTimeZone: utc).first?.decision?.target?.agentID ?? "-")
        }
        #expect(targets == ["a", "b", "b", "b"])
        await opened.close()
    }

    /// Today's counts advance lead by lead inside a batch and are written once when it commits: the
    /// cap holds within a batch, across batches, and across a restart.
    @Test(arguments: StoreKind.allCases) func dailyCapsCountLeadsInsideABatchAndAcrossBatchesAndRestarts(_ kind: StoreKind) async throws {
        var opened = try await StoreUnderTest.open(kind)
        try await seed(opened.store, weights: (1, 1), cap: 2)
        func targets(_ count: Int) async throws -> [String] {
            try await opened.store.accept((0..<count).map { _ in submission() }, dayTimeZone: utc).map { $0.decision?.target?.agentID ?? "-" }
        }
        #expect(try await targets(3) == ["a", "b", "a"])
        #expect(try await targets(3) == ["b", "b", "b"])
        opened = try await opened.reopen()
        #expect(try await targets(1) == ["b"])
        // Counts add up across batches: a's two leads today came one batch apart.
        await opened.close()
        opened = try await StoreUnderTest.open(kind)
        try await seed(opened.store, weights: (1, 1), cap: 2)
        #expect(try await targets(1) == ["a"])
        #expect(try await targets(1) == ["b"])
        #expect(try await targets(1) == ["a"])
        opened = try await opened.reopen()
        #expect(try await targets(2) == ["b", "b"])
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func stickyRoutingFindsTheEarlierLeadOfTheSameEmail(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store, weights: (1, 1), stickyDays: 30)
        let first = try await store.accept([submission(email: "pat@example.com")], dayTimeZone: utc).first?.decision?.target?.agentID
        _ = try await store.accept([submission(email: "kim@example.com")], dayTimeZone: utc)
        let repeatLead = try await store.accept([submission(email: "PAT@example.com")], dayTimeZone: utc).first?.decision?.target?.agentID
        #expect(first == "a")
        #expect(repeatLead == "a")
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func previewChangesNothing(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store, weights: (1, 1))
        for _ in 0..<3 {
            #expect(try await store.preview(Lead(tags: ["buyer"]), at: Date(), draft: nil, dayTimeZone: utc).target?.agentID == "a")
        }
        #expect(try await store.accept([submission()], dayTimeZone: utc).first?.decision?.target?.agentID == "a")
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func theOutboxRecordsAttemptsAndOutcomes(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let id = try #require(try await store.accept([submission()], dayTimeZone: utc).first?.leadID)
        let now = Date().addingTimeInterval(1)
        let job = try #require(try await store.claimDueJobs(limit: 1, now: now, lease: 30).first)
        // Claimed: not handed out twice.
        #expect(try await store.claimDueJobs(limit: 1, now: now, lease: 30).isEmpty)
        let failure = DeliveryAttempt(at: Timestamp.string(now), httpStatus: 500, crmSuccess: nil, error: "http_5xx", durationMS: 12, responseBody: "oops")
        try await store.record(failure, outcome: .retry(at: now.addingTimeInterval(60), rejected: false), for: job)
        #expect(try await store.lead(id: id)?.status == .retrying)
        #expect(try await store.claimDueJobs(limit: 1, now: now, lease: 30).isEmpty)
        let retried = try #require(try await store.claimDueJobs(limit: 1, now: now.addingTimeInterval(61), lease: 30).first)
        #expect(retried.attempts == 1)
        let success = DeliveryAttempt(at: Timestamp.string(now), httpStatus: 200, crmSuccess: true, error: nil, durationMS: 8, responseBody: #"{"success":true}"#)
        try await store.record(success, outcome: .delivered, for: retried)
        let lead = try #require(try await store.lead(id: id))
        #expect(lead.status == .delivered)
        #expect(lead.attempts == 2)
        #expect(lead.deliveryAttempts == [failure, success])
        #expect(try await store.nextDueDate() == nil)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func claimsAreReleasedAtStartUp(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        _ = try await store.accept([submission()], dayTimeZone: utc)
        let now = Date().addingTimeInterval(1)
        #expect(try await store.claimDueJobs(limit: 1, now: now, lease: 300).count == 1)
        try await store.releaseClaims()
        #expect(try await store.claimDueJobs(limit: 1, now: now, lease: 300).count == 1)
        await opened.close()
    }

    /// A renewed claim outlives its first lease; once recorded, or requeued, it is no longer renewed.
    @Test(arguments: StoreKind.allCases) func aRenewedClaimOutlivesItsFirstLease(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        _ = try await store.accept([submission(), submission()], dayTimeZone: utc)
        let now = Date().addingTimeInterval(1)
        let jobs = try await store.claimDueJobs(limit: 2, now: now, lease: 30)
        #expect(jobs.count == 2)
        let ids = jobs.map(\.leadID)
        #expect(try await store.renewClaims(ids, until: now.addingTimeInterval(90)) == Set(ids))
        #expect(try await store.claimDueJobs(limit: 2, now: now.addingTimeInterval(60), lease: 30).isEmpty, "still claimed after the first lease")
        let success = DeliveryAttempt(at: Timestamp.string(now), httpStatus: 200, crmSuccess: true, error: nil, durationMS: 8, responseBody: nil)
        try await store.record(success, outcome: .delivered, for: jobs[0])
        try await store.record(success, outcome: .retry(at: now.addingTimeInterval(10), rejected: false), for: jobs[1])
        #expect(try await store.renewClaims(ids, until: now.addingTimeInterval(120)).isEmpty, "recorded claims are not held")
        #expect(try await store.claimDueJobs(limit: 2, now: now.addingTimeInterval(11), lease: 30).map(\.leadID) == [ids[1]])
        #expect(try await store.renewClaims([], until: now).isEmpty)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func redeliverAndRerouteOnlyApplyToTheirStatuses(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let unrouted = try #require(try await store.accept([submission(tags: ["seller"])], dayTimeZone: utc).first?.leadID)
        let queued = try #require(try await store.accept([submission()], dayTimeZone: utc).first?.leadID)
        await #expect(throws: PolicyError.self) { _ = try await store.redeliver(id: queued, actor: .cli("test")) }
        await #expect(throws: PolicyError.self) { _ = try await store.reroute(id: queued, actor: .cli("test"), dayTimeZone: utc) }
        await #expect(throws: PolicyError.self) { _ = try await store.redeliver(id: "ld_missing", actor: .cli("test")) }

        // Still unrouted under the same policy; routed once a catch-all exists.
        #expect(try await store.reroute(id: unrouted, actor: .cli("test"), dayTimeZone: utc).status == .unrouted)
        try await store.modifyPolicy(actor: .cli("test")) { draft in
            draft.policy.rules.append(Rule(id: "rest", name: "Rest", priority: 9, action: .crmRoundRobin(accountID: "acme")))
        }
        let rerouted = try await store.reroute(id: unrouted, actor: .cli("test"), dayTimeZone: utc)
        #expect(rerouted.status == .queued)
        #expect(rerouted.target == .admin(accountID: "acme"))
        #expect(try await store.auditEvents(type: "lead.rerouted", limit: 10, beforeSeq: nil).count == 2)
        await opened.close()
    }
}
