import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// Maps the policy onto its tables (`account`, `agent`, `pool`, `pool_member`, `rule`) and back.
enum PolicyTables {
    static let decoder = JSONDecoder()

    static func load(_ db: Database) throws -> StoredPolicy {
        var masks: [SecretOwner: String] = [:]
        let accounts = try Row.fetchAll(db, sql: "SELECT id, name, crm_url, active, admin_api_key_hint FROM account ORDER BY position, id").map { row in
            masks[SecretOwner(kind: Account.kind, id: row["id"])] = row["admin_api_key_hint"]
            return Account(id: row["id"], name: row["name"], crmURL: row["crm_url"], active: row["active"])
        }
        let agents = try Row.fetchAll(db, sql: "SELECT * FROM agent ORDER BY position, id").map { row in
            masks[SecretOwner(kind: Agent.kind, id: row["id"])] = row["api_key_hint"]
            let schedule: String? = row["schedule_json"]
            let awayUntil: String? = row["away_until"]
            return Agent(id: row["id"], accountID: row["account_id"], name: row["name"], email: row["email"],
                         weight: row["weight"], dailyCap: row["daily_cap"], active: row["active"],
                         schedule: try schedule.map { try decoder.decode(Schedule.self, from: Data($0.utf8)) },
                         awayUntil: awayUntil.flatMap(Timestamp.parse))
        }
        var members: [String: [Pool.Member]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT pool_id, agent_id, weight FROM pool_member ORDER BY pool_id, position") {
            members[row["pool_id"], default: []].append(Pool.Member(agentID: row["agent_id"], weight: row["weight"]))
        }
        let pools = try Row.fetchAll(db, sql: "SELECT * FROM pool ORDER BY position, id").map { row in
            Pool(id: row["id"], name: row["name"], members: members[row["id"]] ?? [], stickyDays: row["sticky_days"])
        }
        let rules = try Row.fetchAll(db, sql: "SELECT * FROM rule ORDER BY position, id").map { row in
            let fallback: String? = row["fallback_json"]
            return Rule(
                id: row["id"], name: row["name"], priority: row["priority"], enabled: row["enabled"],
                match: try decoder.decode(Rule.Match.self, from: Data((row["match_json"] as String).utf8)),
                action: try decoder.decode(RuleAction.self, from: Data((row["action_json"] as String).utf8)),
                fallback: try fallback.map { try decoder.decode(RuleAction.self, from: Data($0.utf8)) })
        }
        return StoredPolicy(policy: Policy(accounts: accounts, agents: agents, pools: pools, rules: rules), secretMasks: masks)
    }

    /// The sealed keys in force, by owner.
    static func sealedKeys(_ db: Database) throws -> [SecretOwner: Data] {
        var keys: [SecretOwner: Data] = [:]
        for column in SealedSecrets.columns {
            for row in try Row.fetchAll(db, sql: "SELECT id, \(column.sealed) AS sealed FROM \(column.table)") {
                keys[SecretOwner(kind: column.kind, id: row["id"])] = row["sealed"]
            }
        }
        return keys
    }

    /// Writes what differs between `old` and `new`, in an order the foreign keys accept: rules and
    /// pools that go away first, then accounts, agents and pools that stay or arrive, then agents and
    /// accounts that go away, then rules.
    static func write(old: Policy, new: Policy, sealedSecrets: [SecretOwner: Data], masks: [SecretOwner: String], in db: Database) throws {
        func removed<Entity: PolicyEntity>(_ keyPath: KeyPath<Policy, [Entity]>) -> [String] {
            let kept = Set(new[keyPath: keyPath].map(\.id))
            return old[keyPath: keyPath].map(\.id).filter { !kept.contains($0) }
        }
        for id in removed(\.rules) { try db.execute(sql: "DELETE FROM rule WHERE id = ?", arguments: [id]) }
        for id in removed(\.pools) { try db.execute(sql: "DELETE FROM pool WHERE id = ?", arguments: [id]) }

        for (position, account) in new.accounts.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO account (id, name, crm_url, active, admin_api_key_sealed, admin_api_key_hint, position) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, crm_url = excluded.crm_url, active = excluded.active,
                                                   position = excluded.position
                    """,
                arguments: [account.id, account.name, account.crmURL, account.active, sealedSecrets[account.secretOwner!] ?? Data(),
                            masks[account.secretOwner!], position])
            if old.account(account.id) != nil, let sealed = sealedSecrets[account.secretOwner!] {
                try db.execute(sql: "UPDATE account SET admin_api_key_sealed = ?, admin_api_key_hint = ? WHERE id = ?",
                               arguments: [sealed, masks[account.secretOwner!], account.id])
            }
        }
        for (position, agent) in new.agents.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO agent (id, account_id, name, email, weight, daily_cap, active, api_key_sealed, api_key_hint, position,
                                       schedule_json, away_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, email = excluded.email,
                        weight = excluded.weight, daily_cap = excluded.daily_cap, active = excluded.active, position = excluded.position,
                        schedule_json = excluded.schedule_json, away_until = excluded.away_until
                    """,
                arguments: [agent.id, agent.accountID, agent.name, agent.email, agent.weight, agent.dailyCap, agent.active,
                            sealedSecrets[agent.secretOwner!] ?? Data(), masks[agent.secretOwner!], position,
                            try agent.schedule.map(json),
                            agent.awayUntil.map(Timestamp.string)])
            if old.agent(agent.id) != nil, let sealed = sealedSecrets[agent.secretOwner!] {
                try db.execute(sql: "UPDATE agent SET api_key_sealed = ?, api_key_hint = ? WHERE id = ?",
                               arguments: [sealed, masks[agent.secretOwner!], agent.id])
            }
        }
        for (position, pool) in new.pools.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO pool (id, name, sticky_days, position) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, sticky_days = excluded.sticky_days, position = excluded.position
                    """,
                arguments: [pool.id, pool.name, pool.stickyDays, position])
            if old.pool(pool.id)?.members != pool.members {
                try db.execute(sql: "DELETE FROM pool_member WHERE pool_id = ?", arguments: [pool.id])
                for (memberPosition, member) in pool.members.enumerated() {
                    try db.execute(sql: "INSERT INTO pool_member (pool_id, agent_id, weight, position) VALUES (?, ?, ?, ?)",
                                   arguments: [pool.id, member.agentID, member.weight, memberPosition])
                }
            }
        }
        for id in removed(\.agents) { try db.execute(sql: "DELETE FROM agent WHERE id = ?", arguments: [id]) }
        for id in removed(\.accounts) { try db.execute(sql: "DELETE FROM account WHERE id = ?", arguments: [id]) }

        for (position, rule) in new.rules.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO rule (id, name, priority, enabled, match_json, action_json, fallback_json, position)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, priority = excluded.priority, enabled = excluded.enabled,
                        match_json = excluded.match_json, action_json = excluded.action_json,
                        fallback_json = excluded.fallback_json, position = excluded.position
                    """,
                arguments: [rule.id, rule.name, rule.priority, rule.enabled, try json(rule.match), try json(rule.action),
                            try rule.fallback.map(json), position])
        }
    }

    private static func json(_ value: some Encodable) throws -> String {
        try PolicyColumnJSON.text(value)
    }
}
