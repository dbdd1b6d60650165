import Foundation
import LeadPolicy
import LeadStore
import Testing

/// On both databases: every test runs on SQLite and on PostgreSQL.
@Suite struct PolicyRepositoryTests {
    let actor = AuditActor.token(id: "alice", name: "Alice")

    func seed(_ store: some PolicyRepository) async throws {
        try await store.modifyPolicy(actor: actor) { draft in
            draft.policy = Policy(
                accounts: [Account(id: "acme", name: "Acme")],
                agents: [Agent(id: "jane", accountID: "acme", name: "Jane"), Agent(id: "bob", accountID: "acme", name: "Bob", weight: 3)],
                pools: [Pool(id: "buyers", name: "Buyers", members: [.init(agentID: "jane"), .init(agentID: "bob", weight: 2)])],
                rules: [Rule(id: "all", name: "All", priority: 1, action: .pool(poolID: "buyers"))])
            draft.setSecret("bb-admin-0123456789", for: SecretOwner(kind: Account.kind, id: "acme"))
            draft.setSecret("bb-jane-0123456789", for: SecretOwner(kind: Agent.kind, id: "jane"))
            draft.setSecret("bb-bob-00123456789", for: SecretOwner(kind: Agent.kind, id: "bob"))
        }
    }

    @Test(arguments: StoreKind.allCases) func writesAndReadsBackThePolicyInOrder(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let policy = try await store.currentPolicy().policy
        #expect(policy.agents.map(\.id) == ["jane", "bob"])
        #expect(policy.pools[0].members == [.init(agentID: "jane"), .init(agentID: "bob", weight: 2)])
        #expect(policy.rules[0].action == .pool(poolID: "buyers"))
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func anInvalidChangeLeavesEverythingAsItWas(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let before = try await store.currentPolicy().policy
        let eventsBefore = try await store.auditEvents(type: nil, limit: 500, beforeSeq: nil).count
        await #expect(throws: PolicyError.self) {
            try await store.modifyPolicy(actor: actor) { draft in
                draft.policy.rules.removeAll()
                draft.policy.agents[0].accountID = "nowhere"
            }
        }
        #expect(try await store.currentPolicy().policy == before)
        #expect(try await store.auditEvents(type: nil, limit: 500, beforeSeq: nil).count == eventsBefore)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func aNewAgentWithoutAKeyIsRefused(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        await #expect(throws: PolicyError.invalid("agents[2].api_key", "is required for a new agent")) {
            try await store.modifyPolicy(actor: actor) { draft in
                draft.policy.agents.append(Agent(id: "kim", accountID: "acme", name: "Kim"))
            }
        }
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func replacingThePolicyDeletesInAnOrderTheForeignKeysAccept(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        try await store.modifyPolicy(actor: actor) { draft in
            draft.policy = Policy(accounts: [Account(id: "other", name: "Other")],
                                  rules: [Rule(id: "crm", name: "CRM", priority: 1, action: .crmRoundRobin(accountID: "other"))])
            draft.setSecret("bb-other-0123456789", for: SecretOwner(kind: Account.kind, id: "other"))
        }
        let policy = try await store.currentPolicy().policy
        #expect(policy.accounts.map(\.id) == ["other"])
        #expect(policy.agents.isEmpty && policy.pools.isEmpty)
        #expect(try await store.secret(for: SecretOwner(kind: Agent.kind, id: "jane")) == nil)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func everyChangeIsAnAuditEventNamingTheActorWithSecretsMasked(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        try await store.modifyPolicy(actor: .token(id: "bob-admin", name: "Bob Admin")) { draft in
            draft.policy.agents[1].active = false
            draft.setSecret("bb-bob-new-key-5678", for: SecretOwner(kind: Agent.kind, id: "bob"))
        }
        let events = try await store.auditEvents(type: nil, limit: 500, beforeSeq: nil)
        #expect(Set(events.map(\.type)) == ["account.created", "agent.created", "pool.created", "rule.created", "agent.updated"])
        let update = try #require(events.first)
        #expect(update.type == "agent.updated")
        #expect(update.entityID == "bob")
        #expect(update.actor == .token(id: "bob-admin", name: "Bob Admin"))
        #expect(update.before?.contains(#""active":true"#) == true)
        #expect(update.after?.contains(#""active":false"#) == true)
        #expect(update.after?.contains(#""api_key":"••••5678""#) == true)
        for event in events {
            #expect(event.before?.contains("bb-") != true && event.after?.contains("bb-") != true)
        }
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func anUnchangedEntityProducesNoEvent(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let count = try await store.auditEvents(type: nil, limit: 500, beforeSeq: nil).count
        try await store.modifyPolicy(actor: actor) { _ in }
        #expect(try await store.auditEvents(type: nil, limit: 500, beforeSeq: nil).count == count)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func theAuditLogIsAHashChain(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        _ = try await store.createToken(name: "ops", role: .admin, actor: actor)
        let events = try await store.auditEvents(type: nil, limit: 500, beforeSeq: nil).reversed()
        var previous = AuditChain.genesis
        for event in events {
            #expect(event.prevHash == previous)
            #expect(AuditChain.hash(of: event) == event.hash)
            previous = event.hash
        }
        var tampered = try #require(events.first)
        tampered.after = tampered.after?.replacingOccurrences(of: "Acme", with: "Evil")
        #expect(AuditChain.hash(of: tampered) != tampered.hash)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func concurrentChangesAreNeverLost(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask { [actor] in
                    try await store.modifyPolicy(actor: actor) { draft in
                        draft.policy.rules.append(Rule(id: "r\(index)", name: "R\(index)", priority: index, action: .agent(agentID: "jane")))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.currentPolicy().policy.rules.count == 21)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func vendorsNamedByARuleCannotBeDeleted(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        _ = try await store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: actor)
        try await store.modifyPolicy(actor: actor) { draft in
            draft.policy.rules[0].match.vendorIDs = ["zillow"]
        }
        await #expect(throws: PolicyError(.inUse, field: "id", "vendor 'zillow' is still named by rule 'all'")) {
            try await store.deleteVendor(id: "zillow", actor: actor)
        }
        await #expect(throws: PolicyError.self) {
            try await store.modifyPolicy(actor: actor) { draft in draft.policy.rules[0].match.vendorIDs = ["realtor"] }
        }
        await opened.close()
    }
}
