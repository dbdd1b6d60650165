import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// Changes to the policy take an exclusive advisory lock for their transaction, so that two
/// instances (or two admins) changing it at once apply one change after the other, each to the
/// policy the other left; ingest reads it under the same lock shared, so it never sees half a change.
enum PolicyLock {
    static let key: Int64 = 0x6c65_6164_706f_6c69  // "leadpoli"

    static func exclusive(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: logger)
    }

    static func shared(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock_shared(\(key))", logger: logger)
    }
}

extension PostgresStore: PolicyRepository {
    public func currentPolicy() async throws -> StoredPolicy {
        try await transaction { [self] connection in
            try await PolicyLock.shared(connection, logger: logger)
            return try await PostgresPolicyTables.load(connection, logger: logger)
        }
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
        let committed = try await commitPolicyChange(actor: actor, event: event, keysOfVersion: number) { draft, keys in
            try draft.restore(policy, keptKeys: keys.kept, currentKeys: keys.current, box: secretBox)
        }
        return (committed.version ?? 0, StoredPolicy(policy: committed.draft.policy, secretMasks: committed.draft.secretMasks))
    }

    /// The sealed keys a restore works with: those of the version restored, and those in force.
    struct RestoreKeys: Sendable {
        var kept: [SecretOwner: Data] = [:]
        var current: [SecretOwner: Data] = [:]
    }

    /// As SQLite's: the change on the current policy inside one transaction (under the policy lock),
    /// validated, new keys sealed, what differs written, one audit event per changed entity (then
    /// `event`), the next version when there was any event, and the policy's generation moved.
    private func commitPolicyChange<Value: Sendable>(
        actor: AuditActor,
        event: NewAuditEvent? = nil,
        keysOfVersion: Int? = nil,
        _ change: @escaping @Sendable (inout PolicyDraft, RestoreKeys) throws -> Value
    ) async throws -> (value: Value, draft: PolicyDraft, version: Int?) {
        let secretBox = try requireSecretBox()
        return try await transaction { [self] connection in
            try await PolicyLock.exclusive(connection, logger: logger)
            let stored = try await PostgresPolicyTables.load(connection, logger: logger)
            let vendorIDs = Set(try await connection.query("SELECT id FROM vendor", logger: logger).collect().map { try $0.decode(String.self) })
            var keys = RestoreKeys()
            if let keysOfVersion {
                keys.kept = try await PostgresPolicyVersions.keys(ofVersion: keysOfVersion, connection, logger: logger)
                keys.current = try await PostgresPolicyTables.sealedKeys(connection, logger: logger)
            }
            var draft = PolicyDraft(policy: stored.policy, secretMasks: stored.secretMasks, vendorIDs: vendorIDs)
            let value = try change(&draft, keys)
            try draft.policy.validate(context: draft.validationContext)
            try draft.requireSecrets()
            var sealed: [SecretOwner: Data] = [:]
            for (owner, secret) in draft.newSecrets {
                sealed[owner] = try secretBox.seal(secret, owner: owner)
            }
            try await PostgresPolicyTables.write(old: stored.policy, new: draft.policy, sealedSecrets: sealed, masks: draft.secretMasks,
                                                 connection, logger: logger)
            try await connection.query("UPDATE policy_generation SET generation = generation + 1 WHERE id = 1", logger: logger)
            let events = PolicyDiff.events(old: stored, new: draft) + (event.map { [$0] } ?? [])
            var version: Int?
            if !events.isEmpty {
                version = try await PostgresPolicyVersions.record(StoredPolicy(policy: draft.policy, secretMasks: draft.secretMasks), actor: actor,
                                                                  connection, logger: logger)
            }
            try await PostgresAuditWriter.append(events, actor: actor, connection, logger: logger)
            return (value, draft, version)
        }
    }

    public func policyVersions() async throws -> [PolicyVersion] {
        try await columns("SELECT version, created_at, actor_kind, actor_id, actor_name FROM policy_version ORDER BY version DESC").map(PostgresPolicyVersions.version)
    }

    public func policyVersion(_ version: Int) async throws -> (PolicyVersion, JSONValue)? {
        guard let row = try await columns("""
            SELECT version, created_at, actor_kind, actor_id, actor_name, policy_json FROM policy_version WHERE version = \(version)
            """).first else { return nil }
        let document = try JSONDecoder().decode(JSONValue.self, from: Data((try row["policy_json"] as String).utf8))
        return (try PostgresPolicyVersions.version(row), document)
    }

    public func policyWarnings() async throws -> [String] {
        let secretBox = try requireSecretBox()
        let (stored, keys) = try await transaction { [self] connection in
            try await PolicyLock.shared(connection, logger: logger)
            return (try await PostgresPolicyTables.load(connection, logger: logger), try await PostgresPolicyTables.sealedKeys(connection, logger: logger))
        }
        return stored.warnings { owner in keys[owner].flatMap { try? secretBox.open($0, owner: owner) } }
    }

    public func secret(for owner: SecretOwner) async throws -> String? {
        let query: PostgresQuery
        switch owner.kind {
        case Account.kind: query = "SELECT admin_api_key_sealed FROM account WHERE id = \(owner.id)"
        case Agent.kind: query = "SELECT api_key_sealed FROM agent WHERE id = \(owner.id)"
        default: return nil
        }
        guard let sealed = try await rows(query).first?.decode(Data.self) else { return nil }
        return try requireSecretBox().open(sealed, owner: owner)
    }
}
