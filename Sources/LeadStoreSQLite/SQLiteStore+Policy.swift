import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore: PolicyRepository {
    public func currentPolicy() async throws -> StoredPolicy {
        try await pool.read { db in try PolicyTables.load(db) }
    }

    public func modifyPolicy<Result: Sendable>(
        actor: AuditActor,
        _ change: @escaping @Sendable (inout PolicyDraft) throws -> Result
    ) async throws -> Result {
        try await commitPolicyChange(actor: actor) { draft, _ in try change(&draft) }.value
    }

    public func restorePolicy(_ policy: Policy, fromVersion number: Int, actor: AuditActor) async throws -> (version: Int, policy: StoredPolicy) {
        let secretBox = try requireSecretBox()
        let event = NewAuditEvent.policyRestored(number)
        let committed = try await commitPolicyChange(actor: actor, event: event) { draft, db in
            try draft.restore(policy, keptKeys: try SealedSecrets.keys(ofVersion: number, in: db), currentKeys: try PolicyTables.sealedKeys(db),
                              box: secretBox)
        }
        return (committed.version ?? 0, StoredPolicy(policy: committed.draft.policy, secretMasks: committed.draft.secretMasks))
    }

    /// Runs `change` on the current policy inside one write transaction, validates the result, seals
    /// the new keys, writes what differs, appends one audit event per changed entity (then `event`,
    /// when given) and, when there was any event, records the next policy version.
    private func commitPolicyChange<Value: Sendable>(
        actor: AuditActor,
        event: NewAuditEvent? = nil,
        _ change: @escaping @Sendable (inout PolicyDraft, Database) throws -> Value
    ) async throws -> (value: Value, draft: PolicyDraft, version: Int?) {
        let secretBox = try requireSecretBox()
        let policyCache = self.policyCache
        return try await pool.write { db in
            policyCache.invalidate()
            let stored = try PolicyTables.load(db)
            let vendorIDs = Set(try String.fetchAll(db, sql: "SELECT id FROM vendor"))
            var draft = PolicyDraft(policy: stored.policy, secretMasks: stored.secretMasks, vendorIDs: vendorIDs)
            let value = try change(&draft, db)
            try draft.policy.validate(context: draft.validationContext)
            try draft.requireSecrets()
            var sealed: [SecretOwner: Data] = [:]
            for (owner, secret) in draft.newSecrets {
                sealed[owner] = try secretBox.seal(secret, owner: owner)
            }
            try PolicyTables.write(old: stored.policy, new: draft.policy, sealedSecrets: sealed, masks: draft.secretMasks, in: db)
            let events = PolicyDiff.events(old: stored, new: draft) + (event.map { [$0] } ?? [])
            var audit = try AuditWriter(db)
            for event in events {
                try audit.append(event, actor: actor, in: db)
            }
            var version: Int?
            if !events.isEmpty {
                version = try PolicyVersions.record(StoredPolicy(policy: draft.policy, secretMasks: draft.secretMasks), actor: actor, in: db)
            }
            return (value, draft, version)
        }
    }

    public func policyVersions() async throws -> [PolicyVersion] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT version, created_at, actor_kind, actor_id, actor_name FROM policy_version ORDER BY version DESC")
                .map(PolicyVersions.version(from:))
        }
    }

    public func policyVersion(_ version: Int) async throws -> (PolicyVersion, JSONValue)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM policy_version WHERE version = ?", arguments: [version]) else { return nil }
            let document = try JSONDecoder().decode(JSONValue.self, from: Data((row["policy_json"] as String).utf8))
            return (PolicyVersions.version(from: row), document)
        }
    }

    public func policyWarnings() async throws -> [String] {
        let secretBox = try requireSecretBox()
        let (stored, keys) = try await pool.read { db in (try PolicyTables.load(db), try PolicyTables.sealedKeys(db)) }
        return stored.warnings { owner in keys[owner].flatMap { try? secretBox.open($0, owner: owner) } }
    }

    public func secret(for owner: SecretOwner) async throws -> String? {
        let sealed: Data? = try await pool.read { db in
            switch owner.kind {
            case Account.kind:
                try Data.fetchOne(db, sql: "SELECT admin_api_key_sealed FROM account WHERE id = ?", arguments: [owner.id])
            case Agent.kind:
                try Data.fetchOne(db, sql: "SELECT api_key_sealed FROM agent WHERE id = ?", arguments: [owner.id])
            default:
                nil
            }
        }
        return try sealed.map { try requireSecretBox().open($0, owner: owner) }
    }
}
