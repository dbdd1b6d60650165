import Foundation
import GRDB
import LeadPolicy

extension SQLiteStore: PolicyRepository {
    public func currentPolicy() async throws -> StoredPolicy {
        try await pool.read { db in try PolicyTables.load(db) }
    }

    public func modifyPolicy<Result: Sendable>(
        actor: AuditActor,
        _ change: @escaping @Sendable (inout PolicyDraft) throws -> Result
    ) async throws -> Result {
        let secretBox = self.secretBox
        let policyCache = self.policyCache
        return try await pool.write { db in
            policyCache.invalidate()
            let stored = try PolicyTables.load(db)
            let vendorIDs = Set(try String.fetchAll(db, sql: "SELECT id FROM vendor"))
            var draft = PolicyDraft(policy: stored.policy, secretMasks: stored.secretMasks, vendorIDs: vendorIDs)
            let result = try change(&draft)
            try draft.policy.validate(context: draft.validationContext)
            try Self.requireSecrets(draft)
            var sealed: [SecretOwner: Data] = [:]
            for (owner, secret) in draft.newSecrets {
                sealed[owner] = try secretBox.seal(secret, owner: owner)
            }
            try PolicyTables.write(old: stored.policy, new: draft.policy, sealedSecrets: sealed, masks: draft.secretMasks, in: db)
            let events = PolicyDiff.events(old: stored, new: draft)
            var audit = try AuditWriter(db)
            for event in events {
                try audit.append(event, actor: actor, in: db)
            }
            if !events.isEmpty {
                try PolicyVersions.record(StoredPolicy(policy: draft.policy, secretMasks: draft.secretMasks), actor: actor, in: db)
            }
            return result
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
        return try sealed.map { try secretBox.open($0, owner: owner) }
    }

    /// Every account and agent must have its CRM key, stored or given now.
    static func requireSecrets(_ draft: PolicyDraft) throws(PolicyError) {
        func check<Entity: PolicyEntity>(_ entities: [Entity]) throws(PolicyError) {
            for (index, entity) in entities.enumerated() {
                guard let owner = entity.secretOwner, let field = Entity.secretField else { continue }
                if !draft.hasSecret(for: owner) {
                    throw .invalid("\(Entity.collection)[\(index)].\(field)", "is required for a new \(Entity.kind)")
                }
            }
        }
        try check(draft.policy.accounts)
        try check(draft.policy.agents)
    }
}
