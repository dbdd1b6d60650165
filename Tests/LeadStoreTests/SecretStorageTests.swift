import Foundation
import GRDB
import LeadPolicy
import LeadStore
import Testing
@testable import LeadStoreSQLite

@Suite struct SecretStorageTests {
    let adminKey = "bb-admin-7d1f0c9a2b3e4f5a"
    let agentKey = "bb-agent-93c8e1f2a7b6d5c4"

    func seed(_ store: some PolicyRepository) async throws {
        try await store.modifyPolicy(actor: .cli("test")) { [adminKey, agentKey] draft in
            draft.policy.accounts.append(Account(id: "acme", name: "Acme"))
            draft.setSecret(adminKey, for: SecretOwner(kind: Account.kind, id: "acme"))
            draft.policy.agents.append(Agent(id: "jane", accountID: "acme", name: "Jane"))
            draft.setSecret(agentKey, for: SecretOwner(kind: Agent.kind, id: "jane"))
        }
    }

    @Test(arguments: StoreKind.allCases) func crmKeysAreEncryptedAtRestAndReadableForDelivery(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        #expect(try await store.secret(for: SecretOwner(kind: Account.kind, id: "acme")) == adminKey)
        #expect(try await store.secret(for: SecretOwner(kind: Agent.kind, id: "jane")) == agentKey)

        #expect(try await !opened.holdsAtRest(adminKey))
        #expect(try await !opened.holdsAtRest(agentKey))
        // Not even the masks of the audit log or the hint columns hold more than four characters.
        #expect(try await !opened.holdsAtRest(String(adminKey.suffix(5))))
        #expect(try await opened.holdsAtRest(String(adminKey.suffix(4))), "the search finds what is there")
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func theStoredMasksShowAtMostFourCharacters(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        try await seed(store)
        let stored = try await store.currentPolicy()
        #expect(stored.secretMasks[SecretOwner(kind: Agent.kind, id: "jane")] == "••••d5c4")
        #expect(SecretMask.mask("short") == "••••")
        await opened.close()
    }

    /// A database from before the check value: the stored keys themselves are tried, and the check
    /// value is written only when they all open.
    @Test func aDatabaseWithoutTheCheckValueIsCheckedAgainstItsKeys() async throws {
        let database = try TemporaryDatabase()
        do {
            let store = try database.open()
            try await seed(store)
            try store.close()
        }
        let queue = try DatabaseQueue(path: database.path)
        try await queue.write { try $0.execute(sql: "DELETE FROM master_key_check") }
        try queue.close()
        #expect(throws: StoreError.wrongMasterKey) {
            _ = try SQLiteStore(path: database.path, masterKey: .generate())
        }
        let reopened = try database.open()
        #expect(try await reopened.secret(for: SecretOwner(kind: Agent.kind, id: "jane")) == agentKey)
        #expect(await reopened.isReady())
        try reopened.close()
        // Now checked by the value the right key wrote.
        #expect(throws: StoreError.wrongMasterKey) {
            _ = try SQLiteStore(path: database.path, masterKey: .generate())
        }
    }

    @Test func anotherMasterKeyCannotOpenTheSecrets() async throws {
        let database = try TemporaryDatabase()
        do {
            let store = try database.open()
            try await seed(store)
        }
        // Another key does not even open the database for writing: the sealed check value tells it.
        #expect(throws: StoreError.wrongMasterKey) {
            _ = try SQLiteStore(path: database.path, masterKey: .generate())
        }
        // Opened read-only with the wrong key (nothing is checked at open), it does not say ready.
        let wrong = try SQLiteStore(path: database.path, masterKey: .generate(), readOnly: true)
        #expect(await !wrong.isReady())
        #expect(await (try database.open(readOnly: true)).isReady())
        // Read without a key, the store opens, and a secret stays sealed.
        let reader = try SQLiteStore(path: database.path, masterKey: nil, readOnly: true)
        await #expect(throws: StoreError.self) {
            _ = try await reader.secret(for: SecretOwner(kind: Agent.kind, id: "jane"))
        }
    }

    @Test func aSealedKeyDoesNotOpenForAnotherOwner() throws {
        let box = SecretBox(masterKey: .generate())
        let sealed = try box.seal("secret-value", owner: SecretOwner(kind: "agent", id: "jane"))
        #expect(try box.open(sealed, owner: SecretOwner(kind: "agent", id: "jane")) == "secret-value")
        #expect(throws: StoreError.self) { _ = try box.open(sealed, owner: SecretOwner(kind: "agent", id: "bob")) }
    }

    @Test(arguments: StoreKind.allCases) func bearerSecretsAreRandomAndStoredOnlyAsHashes(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let (token, secret) = try await store.createToken(name: "ops", role: .admin, actor: .cli("test"))
        let (vendor, apiKey) = try await store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: .cli("test"))
        #expect(secret.hasPrefix("ldt_") && secret.count >= 46)
        #expect(apiKey.hasPrefix("ldv_") && apiKey.count >= 46)
        #expect(try await store.authenticateToken(secret)?.id == token.id)
        #expect(try await store.authenticateVendor(apiKey: apiKey)?.id == vendor.id)
        #expect(try await store.authenticateToken(secret + "x") == nil)
        #expect(try await store.authenticateVendor(apiKey: secret) == nil)
        #expect(try await !opened.holdsAtRest(secret))
        #expect(try await !opened.holdsAtRest(apiKey))
        #expect(BearerSecret.generate(prefix: "x") != BearerSecret.generate(prefix: "x"))
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func revokedTokensNoLongerAuthenticate(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let (token, secret) = try await store.createToken(name: "ops", role: .auditor, actor: .cli("test"))
        _ = try await store.revokeToken(id: token.id, actor: .cli("test"))
        #expect(try await store.authenticateToken(secret) == nil)
        #expect(try await store.token(id: token.id)?.isRevoked == true)
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases) func rotatingAVendorKeyInvalidatesTheOldOne(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let (_, oldKey) = try await store.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: .cli("test"))
        let newKey = try await store.rotateVendorKey(id: "zillow", actor: .cli("test"))
        #expect(try await store.authenticateVendor(apiKey: oldKey) == nil)
        #expect(try await store.authenticateVendor(apiKey: newKey)?.id == "zillow")
        await opened.close()
    }
}
