import Foundation
import LeadPolicy
import LeadStore
import LeadStorePostgres
import PostgresNIO
import PostgresTestCluster
import Testing

/// Vendors, tokens, console users, sessions and the audit log's queries, the same on both databases;
/// then what only several instances on one PostgreSQL database can get wrong.
@Suite struct ConfigurationStoreTests {
    let actor = AuditActor.cli("test")

    @Test(arguments: StoreKind.allCases) func vendorsKeysAreShownOnceRotatedAndDeleted(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let (vendor, key) = try await store.createVendor(Vendor(id: "zillow", name: "Zillow", dedupeWindowMinutes: 30), actor: actor)
        #expect(vendor.apiKeyMask == SecretMask.mask(key) && key.hasPrefix("ldv_"))
        await #expect(throws: PolicyError.self) { _ = try await store.createVendor(Vendor(id: "zillow", name: "Again"), actor: actor) }
        #expect(try await store.authenticateVendor(apiKey: key)?.id == "zillow")
        #expect(try await store.authenticateVendor(apiKey: key + "x") == nil)
        var changed = vendor
        changed.rateLimitPerMinute = 120
        #expect(try await store.updateVendor(changed, actor: actor).rateLimitPerMinute == 120)
        #expect(try await store.vendor(id: "zillow")?.rateLimitPerMinute == 120)
        let rotated = try await store.rotateVendorKey(id: "zillow", actor: actor)
        #expect(try await store.authenticateVendor(apiKey: key) == nil)
        #expect(try await store.authenticateVendor(apiKey: rotated)?.id == "zillow")
        await #expect(throws: PolicyError.self) { _ = try await store.rotateVendorKey(id: "nobody", actor: actor) }
        try await store.deleteVendor(id: "zillow", actor: actor)
        #expect(try await store.vendors().isEmpty)
        let types = try await store.auditEvents(type: nil, limit: 10, beforeSeq: nil).map(\.type)
        #expect(types == ["vendor.deleted", "vendor.key_rotated", "vendor.updated", "vendor.created"])
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func tokensAuthenticateUntilRevokedAndTheLastAdminStays(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let (admin, secret) = try await store.createToken(name: "Ops", role: .admin, actor: actor)
        let (_, second) = try await store.createToken(name: "Ops", role: .auditor, actor: actor)
        #expect(try await store.tokens().map(\.id) == ["ops", "ops-2"])
        #expect(try await store.authenticateToken(secret)?.role == .admin)
        #expect(try await store.renameToken(id: "ops", name: "Operations", actor: actor).name == "Operations")
        await #expect(throws: PolicyError.self) { _ = try await store.revokeToken(id: admin.id, actor: actor) }
        #expect(try await store.revokeToken(id: "ops-2", actor: actor).revokedAt != nil)
        #expect(try await store.authenticateToken(second) == nil)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func usersAreFoundByEmailWithoutCaseAndTheLastAdminStaysEnabled(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let ann = try await store.createUser(email: "Ann@Sunset.example", name: "Ann", role: .admin, passwordHash: "$2b$hash", actor: actor)
        await #expect(throws: PolicyError.self) {
            _ = try await store.createUser(email: "ann@sunset.EXAMPLE", name: "Other", role: .auditor, passwordHash: "h", actor: actor)
        }
        let found = try #require(try await store.userForSignIn(email: "ANN@sunset.example"))
        #expect(found.0.id == ann.id && found.passwordHash == "$2b$hash")
        await #expect(throws: PolicyError.self) { _ = try await store.updateUser(id: ann.id, ConsoleUserChange(disabled: true), actor: actor) }
        let cy = try await store.createUser(email: "cy@sunset.example", name: "", role: .auditor, passwordHash: "h", actor: actor)
        #expect(cy.id == "cy")
        let promoted = try await store.updateUser(id: cy.id, ConsoleUserChange(role: .admin, passwordHash: "new"), actor: actor)
        #expect(promoted.role == .admin)
        #expect(try await store.updateUser(id: ann.id, ConsoleUserChange(disabled: true), actor: actor).disabled)
        let event = try #require(try await store.auditEvents(type: "user.updated", limit: 1, beforeSeq: nil).first)
        #expect(event.after?.contains(#""password_changed":true"#) == true && event.after?.contains("new") != true)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func sessionsExpireAndRenew(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let now = Date()
        #expect(try await store.saveSession(keyHash: "k1", value: "v1", expiresAt: nil, defaultExpiry: now + 60, create: true))
        #expect(try await !store.saveSession(keyHash: "k1", value: "other", expiresAt: nil, defaultExpiry: now + 60, create: true))
        #expect(try await store.sessionValue(keyHash: "k1", now: now) == "v1")
        #expect(try await store.saveSession(keyHash: "k1", value: "v2", expiresAt: nil, defaultExpiry: now + 1, create: false))
        #expect(try await store.sessionValue(keyHash: "k1", now: now + 30) == "v2", "the expiry stays as it was")
        #expect(try await store.renewSession(keyHash: "k1", expiresAt: now + 10))
        #expect(try await store.sessionValue(keyHash: "k1", now: now + 30) == nil)
        #expect(try await !store.renewSession(keyHash: "none", expiresAt: now))
        #expect(try await store.removeExpiredSessions(now: now + 30) == 1)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func auditQueriesFilterAndPageTheSameWay(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        for index in 0..<5 { _ = try await store.createToken(name: "t\(index)", role: .auditor, actor: .cli("maker")) }
        _ = try await store.revokeToken(id: "t1", actor: actor)
        let firstPage = try await store.auditEvents(AuditEventQuery(type: "token.created", limit: 2))
        #expect(firstPage.map(\.entityID) == ["t4", "t3"])
        let next = try await store.auditEvents(AuditEventQuery(type: "token.created", limit: 10, beforeSeq: firstPage.last?.seq))
        #expect(next.map(\.entityID) == ["t2", "t1", "t0"])
        #expect(try await store.auditEvents(AuditEventQuery(entityKind: "token", entityID: "t1")).map(\.type) == ["token.revoked", "token.created"])
        #expect(try await store.auditEvents(AuditEventQuery(actor: "lead-dispatcher test")).map(\.type) == ["token.revoked"])
        let byTime = try await store.auditEvents(AuditEventQuery(since: Date() - 3600, limit: 3))
        #expect(byTime.count == 3)
        let rest = try await store.auditEvents(AuditEventQuery(since: Date() - 3600, limit: 10, beforeSeq: byTime.last?.seq))
        #expect(Set((byTime + rest).map(\.seq)).count == 6)
        #expect(try await store.auditEvents(AuditEventQuery(until: Date() - 3600)).isEmpty)
        let verified = try await store.verifyAuditChain()
        #expect(verified.ok && verified.checked == 6 && verified.newestID == "6")
        await opened.close()
    }

    // MARK: Several instances on one PostgreSQL database

    @Test func twoInstancesAppendingAtOnceKeepOneGaplessChain() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        let other = try await opened.secondInstance()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in [opened.store, other as any ConfigurationStore].enumerated() {
                group.addTask {
                    for round in 0..<15 {
                        _ = try await store.createToken(name: "i\(index)-\(round)", role: .auditor, actor: .cli("instance \(index)"))
                        try await store.modifyPolicy(actor: .cli("instance \(index)")) { draft in
                            draft.policy.accounts.append(Account(id: "a\(index)-\(round)", name: "A"))
                            draft.setSecret("bb-key-\(index)-\(round)-xxxx", for: SecretOwner(kind: Account.kind, id: "a\(index)-\(round)"))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let verified = try await opened.store.verifyAuditChain()
        #expect(verified.ok && verified.checked == 60, "\(verified)")
        #expect(try await other.currentPolicy().policy.accounts.count == 30, "no change lost")
        #expect(try await opened.store.policyVersions().map(\.version) == Array((1...30).reversed()))
        #expect(Set(try await opened.store.tokens().map(\.id)).count == 30)
        await other.close()
        await opened.close()
    }

    @Test func aVendorKeyRotatedOnOneInstanceStopsWorkingOnTheOther() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        let other = try await opened.secondInstance()
        let (_, key) = try await opened.store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: actor)
        #expect(try await other.authenticateVendor(apiKey: key)?.id == "zillow")
        _ = try await opened.store.rotateVendorKey(id: "zillow", actor: actor)
        #expect(try await other.authenticateVendor(apiKey: key) == nil)
        await other.close()
        await opened.close()
    }

    @Test func verifyFindsAnEditedEventAndARemovedTail() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        for index in 0..<4 { _ = try await opened.store.createToken(name: "t\(index)", role: .auditor, actor: actor) }
        let cluster = try await PostgresTestCluster.shared()
        let database = try #require(opened.databaseName)
        try await cluster.withConnection(database: database) { connection in
            _ = try await connection.query("DELETE FROM audit_event WHERE seq = 4", logger: PostgresTestCluster.logger).collect()
        }
        let gone = try await opened.store.verifyAuditChain()
        #expect(!gone.ok && gone.firstBrokenID == "4" && gone.problem == "events 4 to 4 were written and are gone", "\(gone)")
        try await cluster.withConnection(database: database) { connection in
            _ = try await connection.query("UPDATE audit_event SET after_json = replace(after_json, 't1', 'evil') WHERE seq = 2",
                                           logger: PostgresTestCluster.logger).collect()
        }
        let edited = try await opened.store.verifyAuditChain()
        #expect(!edited.ok && edited.firstBrokenID == "2" && edited.checked == 1, "\(edited)")
        await opened.close()
    }

    static let catchAll = Policy(
        accounts: [Account(id: "acme", name: "Acme")],
        agents: [Agent(id: "a", accountID: "acme", name: "A"), Agent(id: "b", accountID: "acme", name: "B")],
        rules: [Rule(id: "to-a", name: "To A", priority: 1, action: .agent(agentID: "a")),
                Rule(id: "to-b", name: "To B", priority: 1, action: .agent(agentID: "b"))])

    func seedCatchAll(_ store: some PolicyRepository) async throws {
        try await store.modifyPolicy(actor: actor) { draft in
            draft.policy = Self.catchAll
            draft.setSecret("bb-admin-key-0000001", for: SecretOwner(kind: Account.kind, id: "acme"))
            draft.setSecret("bb-agent-a-key-00001", for: SecretOwner(kind: Agent.kind, id: "a"))
            draft.setSecret("bb-agent-b-key-00002", for: SecretOwner(kind: Agent.kind, id: "b"))
        }
    }

    static func submission(key: String? = nil) -> LeadSubmission {
        LeadSubmission(vendorID: "v", fields: ["fname": .string("Pat")], lead: Lead(vendorID: "v"), idempotencyKey: key)
    }

    /// A policy change made through one instance decides the other's next lead: the other's policy in
    /// memory is keyed by the policy's generation, which every change moves (a reordering, which records
    /// no version, too).
    @Test func aChangeOnOneInstanceDecidesTheOthersNextLead() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        let other = try await opened.secondInstance()
        try await seedCatchAll(opened.store)
        let utc = TimeZone(identifier: "UTC")!
        #expect(try await other.accept([Self.submission()], dayTimeZone: utc).first?.decision?.ruleID == "to-a")
        try await opened.store.modifyPolicy(actor: actor) { draft in draft.policy.rules[0].enabled = false }
        #expect(try await other.accept([Self.submission()], dayTimeZone: utc).first?.decision?.ruleID == "to-b")
        let versions = try await opened.store.policyVersions().count
        try await opened.store.modifyPolicy(actor: actor) { draft in draft.policy.rules.reverse() }
        #expect(try await opened.store.policyVersions().count == versions, "a reordering records no version")
        #expect(try await other.accept([Self.submission()], dayTimeZone: utc).first?.decision?.ruleID == "to-b")
        await other.close()
        await opened.close()
    }

    /// The same Idempotency-Key sent to two instances at once makes one lead, and both answer with it.
    @Test func oneIdempotencyKeyOnTwoInstancesAtOnceMakesOneLead() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        let other = try await opened.secondInstance()
        try await seedCatchAll(opened.store)
        let utc = TimeZone(identifier: "UTC")!
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<10 {
                let store: any DispatcherStore = index % 2 == 0 ? opened.store : other
                group.addTask { try await store.accept([Self.submission(key: "key-1")], dayTimeZone: utc).first?.leadID ?? "" }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(answers).count == 1 && !answers[0].isEmpty, "\(Set(answers))")
        #expect(try await opened.store.leadCounts().leads == 1)
        await other.close()
        await opened.close()
    }

    /// Only a claim's owner renews it: another instance's renewal changes nothing, and once the lease
    /// ran out and the other took the lead over, the first owner's renewal finds it gone.
    @Test func onlyAClaimsOwnerRenewsIt() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        let other = try await opened.secondInstance()
        try await seedCatchAll(opened.store)
        _ = try await opened.store.accept([Self.submission()], dayTimeZone: TimeZone(identifier: "UTC")!)
        let now = Date().addingTimeInterval(1)
        let id = try #require(try await opened.store.claimDueJobs(limit: 1, now: now, lease: 30).first?.leadID)
        #expect(try await other.renewClaims([id], until: now.addingTimeInterval(600)).isEmpty, "not its claim")
        #expect(try await opened.store.renewClaims([id], until: now.addingTimeInterval(90)) == [id])
        #expect(try await other.claimDueJobs(limit: 1, now: now.addingTimeInterval(60), lease: 30).isEmpty, "renewed past the first lease")
        #expect(try await other.claimDueJobs(limit: 1, now: now.addingTimeInterval(91), lease: 30).map(\.leadID) == [id], "taken over once it ran out")
        #expect(try await opened.store.renewClaims([id], until: now.addingTimeInterval(200)).isEmpty, "the first owner lost it")
        await other.close()
        await opened.close()
    }

    /// What one instance signals is heard on the other at once (`LISTEN`/`NOTIFY`), and only what it
    /// signals: a lead committed sends nothing by itself (the service says so once a tick, outside the
    /// ingest transactions).
    @Test func whatOneInstanceSignalsTheOtherHears() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        let other = try await opened.secondInstance()
        try await seedCatchAll(opened.store)
        let heard = try #require(other.instanceSignals)
        let signals = heard.signals()
        // Once it listens, it says `leadsQueued` for whatever it may have missed before.
        #expect(try await Self.next(signals) == .leadsQueued)
        let sender = try #require(opened.store.instanceSignals)
        await sender.send(.leadsQueued)
        #expect(try await Self.next(signals) == .leadsQueued)
        _ = try await opened.store.accept([Self.submission()], dayTimeZone: TimeZone(identifier: "UTC")!)
        let pressure = InstanceSignal.ingestPressure(busyShare: 0.75, high: true, from: sender.instanceID)
        await sender.send(pressure)
        #expect(try await Self.next(signals) == pressure, "nothing came between: the accepted lead sent nothing")
        #expect(sender.instanceID != heard.instanceID)
        await other.close()
        await opened.close()
    }

    /// The next signal, or a failure after 30 seconds (a signal lost must not hang the suite).
    static func next(_ signals: AsyncStream<InstanceSignal>) async throws -> InstanceSignal? {
        try await withThrowingTaskGroup(of: InstanceSignal?.self) { group in
            group.addTask {
                var iterator = signals.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                throw StoreError.unavailable("no signal within 30 seconds")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// An instance starting up releases its own claims only: another instance's leads in flight stay
    /// its own (released, they would be delivered twice).
    @Test func anInstanceStartingReleasesOnlyItsOwnClaims() async throws {
        let opened = try await StoreUnderTest.open(.postgres)
        try await seedCatchAll(opened.store)
        let utc = TimeZone(identifier: "UTC")!
        _ = try await opened.store.accept([Self.submission(), Self.submission()], dayTimeZone: utc)
        let now = Date().addingTimeInterval(1)
        let claimed = try await opened.store.claimDueJobs(limit: 1, now: now, lease: 300)
        #expect(claimed.count == 1)
        let restarted = try await opened.secondInstance()
        try await restarted.releaseClaims()
        let taken = try await restarted.claimDueJobs(limit: 10, now: now, lease: 300)
        #expect(taken.map(\.leadID) != claimed.map(\.leadID) && taken.count == 1, "the other instance's claim stays")
        // Its outcome is recorded by its owner only.
        let attempt = DeliveryAttempt(at: Timestamp.string(now), httpStatus: 200, crmSuccess: true, error: nil, durationMS: 1, responseBody: nil)
        try await restarted.record([RecordedAttempt(leadID: claimed[0].leadID, attempt: attempt, outcome: .delivered)])
        #expect(try await opened.store.lead(id: claimed[0].leadID)?.status == .queued)
        try await opened.store.record([RecordedAttempt(leadID: claimed[0].leadID, attempt: attempt, outcome: .delivered)])
        #expect(try await opened.store.lead(id: claimed[0].leadID)?.status == .delivered)
        // Once a lease has ended, another instance takes the lead over.
        let later = now.addingTimeInterval(301)
        #expect(try await opened.store.claimDueJobs(limit: 10, now: later, lease: 300).map(\.leadID) == taken.map(\.leadID))
        await restarted.close()
        await opened.close()
    }
}
