import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// The `policy_version` table: one row per change to the policy, holding the policy after it.
enum PolicyVersions {
    /// Records the policy now in the tables as the next version, with its sealed keys; returns its number.
    @discardableResult
    static func record(_ policy: StoredPolicy, actor: AuditActor, in db: Database) throws -> Int {
        let next = (try Int.fetchOne(try db.cachedStatement(sql: "SELECT MAX(version) FROM policy_version")) ?? 0) + 1
        try db.execute(
            sql: "INSERT INTO policy_version (version, created_at, actor_kind, actor_id, actor_name, policy_json) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [next, Timestamp.string(Date()), actor.kind.rawValue, actor.id, actor.name, try AuditLog.text(policy.document)])
        try SealedSecrets.recordKeys(forVersion: next, in: db)
        return next
    }

    /// The version in force: the newest, or nil before the first change.
    static func current(_ db: Database) throws -> Int? {
        try Int.fetchOne(try db.cachedStatement(sql: "SELECT MAX(version) FROM policy_version"))
    }

    static func version(from row: Row) -> PolicyVersion {
        PolicyVersion(version: row["version"], createdAt: row["created_at"],
                      actor: AuditActor(kind: AuditActor.Kind(rawValue: row["actor_kind"]) ?? .service, id: row["actor_id"], name: row["actor_name"]))
    }
}

extension PolicyVersions {
    /// The policy of `version` as the engine ran it (its document without the masked keys, which the
    /// engine never reads); an empty policy for nil, the version before the first change.
    static func policy(_ version: Int?, in db: Database) throws -> Policy {
        guard let version else { return Policy() }
        guard let text = try String.fetchOne(try db.cachedStatement(sql: "SELECT policy_json FROM policy_version WHERE version = ?"),
                                             arguments: [version]) else {
            throw StoreError.conflict("policy version \(version) is missing")
        }
        return try PolicyVersionDocument.policy(fromText: text, version: version)
    }
}
