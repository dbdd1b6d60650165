import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// Maps the policy onto its tables (`account`, `agent`, `pool`, `pool_member`, `rule`) and back, as
/// `PolicyTables` does for SQLite.
enum PostgresPolicyTables {
    static func load(_ connection: PostgresConnection, logger: Logger) async throws -> StoredPolicy {
        var masks: [SecretOwner: String] = [:]
        var accounts: [Account] = []
        for row in try await connection.query("SELECT id, name, crm_url, active, admin_api_key_hint FROM account ORDER BY position, id",
                                              logger: logger).columns() {
            let id: String = try row["id"]
            masks[SecretOwner(kind: Account.kind, id: id)] = try row["admin_api_key_hint"]
            accounts.append(Account(id: id, name: try row["name"], crmURL: try row["crm_url"], active: try row["active"]))
        }
        var agents: [Agent] = []
        for row in try await connection.query("""
            SELECT id, account_id, name, email, weight, daily_cap, active, api_key_hint, schedule_json, away_until FROM agent ORDER BY position, id
            """, logger: logger).columns() {
            let id: String = try row["id"]
            masks[SecretOwner(kind: Agent.kind, id: id)] = try row["api_key_hint"]
            let schedule: String? = try row["schedule_json"]
            let awayUntil: String? = try row["away_until"]
            agents.append(Agent(id: id, accountID: try row["account_id"], name: try row["name"], email: try row["email"],
                                weight: try row["weight"], dailyCap: try row["daily_cap"], active: try row["active"],
                                schedule: try schedule.map { try PolicyColumnJSON.decode(Schedule.self, $0) },
                                awayUntil: awayUntil.flatMap(Timestamp.parse)))
        }
        var members: [String: [Pool.Member]] = [:]
        for row in try await connection.query("SELECT pool_id, agent_id, weight FROM pool_member ORDER BY pool_id, position", logger: logger).columns() {
            members[try row["pool_id"], default: []].append(Pool.Member(agentID: try row["agent_id"], weight: try row["weight"]))
        }
        var pools: [Pool] = []
        for row in try await connection.query("SELECT id, name, sticky_days FROM pool ORDER BY position, id", logger: logger).columns() {
            let id: String = try row["id"]
            pools.append(Pool(id: id, name: try row["name"], members: members[id] ?? [], stickyDays: try row["sticky_days"]))
        }
        var rules: [Rule] = []
        for row in try await connection.query("""
            SELECT id, name, priority, enabled, match_json, action_json, fallback_json FROM rule ORDER BY position, id
            """, logger: logger).columns() {
            let fallback: String? = try row["fallback_json"]
            rules.append(Rule(
                id: try row["id"], name: try row["name"], priority: try row["priority"], enabled: try row["enabled"],
                match: try PolicyColumnJSON.decode(Rule.Match.self, try row["match_json"]),
                action: try PolicyColumnJSON.decode(RuleAction.self, try row["action_json"]),
                fallback: try fallback.map { try PolicyColumnJSON.decode(RuleAction.self, $0) }))
        }
        return StoredPolicy(policy: Policy(accounts: accounts, agents: agents, pools: pools, rules: rules), secretMasks: masks)
    }

    /// The sealed keys in force, by owner.
    static func sealedKeys(_ connection: PostgresConnection, logger: Logger) async throws -> [SecretOwner: Data] {
        var keys: [SecretOwner: Data] = [:]
        for (id, sealed) in try await connection.query("SELECT id, admin_api_key_sealed FROM account", logger: logger).collect()
            .map({ try $0.decode((String, Data).self) }) {
            keys[SecretOwner(kind: Account.kind, id: id)] = sealed
        }
        for (id, sealed) in try await connection.query("SELECT id, api_key_sealed FROM agent", logger: logger).collect()
            .map({ try $0.decode((String, Data).self) }) {
            keys[SecretOwner(kind: Agent.kind, id: id)] = sealed
        }
        return keys
    }

    /// Writes what differs between `old` and `new`, in an order the foreign keys accept (as SQLite's).
    static func write(old: Policy, new: Policy, sealedSecrets: [SecretOwner: Data], masks: [SecretOwner: String],
                      _ connection: PostgresConnection, logger: Logger) async throws {
        func removed<Entity: PolicyEntity>(_ keyPath: KeyPath<Policy, [Entity]>) -> [String] {
            let kept = Set(new[keyPath: keyPath].map(\.id))
            return old[keyPath: keyPath].map(\.id).filter { !kept.contains($0) }
        }
        for id in removed(\.rules) { try await connection.query("DELETE FROM rule WHERE id = \(id)", logger: logger) }
        for id in removed(\.pools) { try await connection.query("DELETE FROM pool WHERE id = \(id)", logger: logger) }

        for (position, account) in new.accounts.enumerated() {
            let owner = account.secretOwner!
            try await connection.query("""
                INSERT INTO account (id, name, crm_url, active, admin_api_key_sealed, admin_api_key_hint, position)
                VALUES (\(account.id), \(account.name), \(account.crmURL), \(account.active), \(sealedSecrets[owner] ?? Data()), \(masks[owner] ?? ""), \(position))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, crm_url = excluded.crm_url, active = excluded.active,
                                               position = excluded.position
                """, logger: logger)
            if old.account(account.id) != nil, let sealed = sealedSecrets[owner] {
                try await connection.query("""
                    UPDATE account SET admin_api_key_sealed = \(sealed), admin_api_key_hint = \(masks[owner] ?? "") WHERE id = \(account.id)
                    """, logger: logger)
            }
        }
        for (position, agent) in new.agents.enumerated() {
            let owner = agent.secretOwner!
            let schedule = try agent.schedule.map(PolicyColumnJSON.text)
            let awayUntil = agent.awayUntil.map(Timestamp.string)
            try await connection.query("""
                INSERT INTO agent (id, account_id, name, email, weight, daily_cap, active, api_key_sealed, api_key_hint, position,
                                   schedule_json, away_until)
                VALUES (\(agent.id), \(agent.accountID), \(agent.name), \(agent.email), \(agent.weight), \(agent.dailyCap), \(agent.active),
                        \(sealedSecrets[owner] ?? Data()), \(masks[owner] ?? ""), \(position), \(schedule), \(awayUntil))
                ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, email = excluded.email,
                    weight = excluded.weight, daily_cap = excluded.daily_cap, active = excluded.active, position = excluded.position,
                    schedule_json = excluded.schedule_json, away_until = excluded.away_until
                """, logger: logger)
            if old.agent(agent.id) != nil, let sealed = sealedSecrets[owner] {
                try await connection.query("""
                    UPDATE agent SET api_key_sealed = \(sealed), api_key_hint = \(masks[owner] ?? "") WHERE id = \(agent.id)
                    """, logger: logger)
            }
        }
        for (position, pool) in new.pools.enumerated() {
            try await connection.query("""
                INSERT INTO pool (id, name, sticky_days, position) VALUES (\(pool.id), \(pool.name), \(pool.stickyDays), \(position))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, sticky_days = excluded.sticky_days, position = excluded.position
                """, logger: logger)
            if old.pool(pool.id)?.members != pool.members {
                try await connection.query("DELETE FROM pool_member WHERE pool_id = \(pool.id)", logger: logger)
                for (memberPosition, member) in pool.members.enumerated() {
                    try await connection.query("""
                        INSERT INTO pool_member (pool_id, agent_id, weight, position) VALUES (\(pool.id), \(member.agentID), \(member.weight), \(memberPosition))
                        """, logger: logger)
                }
            }
        }
        for id in removed(\.agents) { try await connection.query("DELETE FROM agent WHERE id = \(id)", logger: logger) }
        for id in removed(\.accounts) { try await connection.query("DELETE FROM account WHERE id = \(id)", logger: logger) }

        for (position, rule) in new.rules.enumerated() {
            let match = try PolicyColumnJSON.text(rule.match)
            let action = try PolicyColumnJSON.text(rule.action)
            let fallback = try rule.fallback.map(PolicyColumnJSON.text)
            try await connection.query("""
                INSERT INTO rule (id, name, priority, enabled, match_json, action_json, fallback_json, position)
                VALUES (\(rule.id), \(rule.name), \(rule.priority), \(rule.enabled), \(match), \(action), \(fallback), \(position))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, priority = excluded.priority, enabled = excluded.enabled,
                    match_json = excluded.match_json, action_json = excluded.action_json,
                    fallback_json = excluded.fallback_json, position = excluded.position
                """, logger: logger)
        }
    }
}

/// The `policy_version` table and the keys each version had.
enum PostgresPolicyVersions {
    /// Records the policy now in the tables as the next version, with its sealed keys; returns its
    /// number. The caller holds the policy lock, so two instances never take the same number.
    static func record(_ policy: StoredPolicy, actor: AuditActor, _ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let next = (try await current(connection, logger: logger) ?? 0) + 1
        let document = AuditText.text(policy.document) ?? "{}"
        try await connection.query("""
            INSERT INTO policy_version (version, created_at, actor_kind, actor_id, actor_name, policy_json)
            VALUES (\(next), \(Timestamp.string(Date())), \(actor.kind.rawValue), \(actor.id), \(actor.name), \(document))
            """, logger: logger)
        try await connection.query("""
            INSERT INTO policy_version_secret (version, owner_kind, owner_id, sealed, hint)
            SELECT \(next), \(Account.kind), id, admin_api_key_sealed, admin_api_key_hint FROM account
            """, logger: logger)
        try await connection.query("""
            INSERT INTO policy_version_secret (version, owner_kind, owner_id, sealed, hint)
            SELECT \(next), \(Agent.kind), id, api_key_sealed, api_key_hint FROM agent
            """, logger: logger)
        return next
    }

    /// The version in force: the newest, or nil before the first change.
    static func current(_ connection: PostgresConnection, logger: Logger) async throws -> Int? {
        try await connection.query("SELECT MAX(version) FROM policy_version", logger: logger).collect().first?.decode(Int?.self)
    }

    /// The sealed keys a version had, by owner.
    static func keys(ofVersion version: Int, _ connection: PostgresConnection, logger: Logger) async throws -> [SecretOwner: Data] {
        var keys: [SecretOwner: Data] = [:]
        for row in try await connection.query("""
            SELECT owner_kind, owner_id, sealed FROM policy_version_secret WHERE version = \(version)
            """, logger: logger).collect() {
            let (kind, id, sealed) = try row.decode((String, String, Data).self)
            keys[SecretOwner(kind: kind, id: id)] = sealed
        }
        return keys
    }

    /// The policy of `version` as the engine ran it; an empty policy for nil.
    static func policy(_ version: Int?, _ connection: PostgresConnection, logger: Logger) async throws -> Policy {
        guard let version else { return Policy() }
        guard let text = try await connection.query("SELECT policy_json FROM policy_version WHERE version = \(version)", logger: logger)
            .collect().first?.decode(String.self) else {
            throw StoreError.conflict("policy version \(version) is missing")
        }
        return try PolicyVersionDocument.policy(fromText: text, version: version)
    }

    static func version(_ row: PostgresColumns) throws -> PolicyVersion {
        PolicyVersion(version: try row["version"], createdAt: try row["created_at"],
                      actor: AuditActor(kind: AuditActor.Kind(rawValue: try row["actor_kind"]) ?? .service, id: try row["actor_id"],
                                        name: try row["actor_name"]))
    }
}
