import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// Where sealed CRM keys live, and the check value that tells a wrong master key before any of them
/// is needed.
enum SealedSecrets {
    /// The columns that hold a sealed key and its mask, by owner kind.
    struct Column {
        let table: String
        let kind: String
        let sealed: String
        let hint: String
    }

    static let columns = [
        Column(table: "account", kind: Account.kind, sealed: "admin_api_key_sealed", hint: "admin_api_key_hint"),
        Column(table: "agent", kind: Agent.kind, sealed: "api_key_sealed", hint: "api_key_hint"),
    ]

    /// What the check value holds; its content matters less than that it opens.
    private static let checkOwner = SecretOwner(kind: "master_key", id: "check")
    private static let checkText = "lead-dispatcher master key check"

    /// Copies the keys in force into `policy_version_secret` for `version`.
    static func recordKeys(forVersion version: Int, in db: Database) throws {
        for column in columns {
            try db.execute(sql: """
                INSERT INTO policy_version_secret (version, owner_kind, owner_id, sealed, hint)
                SELECT ?, ?, id, \(column.sealed), \(column.hint) FROM \(column.table)
                """, arguments: [version, column.kind])
        }
    }

    /// The sealed keys a version had, by owner.
    static func keys(ofVersion version: Int, in db: Database) throws -> [SecretOwner: Data] {
        var keys: [SecretOwner: Data] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT owner_kind, owner_id, sealed FROM policy_version_secret WHERE version = ?", arguments: [version]) {
            keys[SecretOwner(kind: row["owner_kind"], id: row["owner_id"])] = row["sealed"]
        }
        return keys
    }

    /// Checks that `box` opens what is stored: the check value when there is one; otherwise every
    /// stored key (a database from before the check value), after which the check value is written.
    /// Throws `StoreError.wrongMasterKey` when it does not.
    static func verify(_ box: SecretBox, in db: Database) throws {
        if try Data.fetchOne(db, sql: "SELECT 1 FROM master_key_check WHERE id = 1") != nil {
            guard try opens(box, in: db) else { throw StoreError.wrongMasterKey }
            return
        }
        for column in columns {
            for row in try Row.fetchAll(db, sql: "SELECT id, \(column.sealed) AS sealed FROM \(column.table)") {
                guard (try? box.open(row["sealed"], owner: SecretOwner(kind: column.kind, id: row["id"]))) != nil else {
                    throw StoreError.wrongMasterKey
                }
            }
        }
        try writeCheck(box, in: db)
    }

    /// True when `box` opens the check value (false before one is written).
    static func opens(_ box: SecretBox, in db: Database) throws -> Bool {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM master_key_check WHERE id = 1") else { return false }
        return (try? box.open(sealed, owner: checkOwner)) == checkText
    }

    /// Writes (or replaces) the check value sealed by `box`.
    static func writeCheck(_ box: SecretBox, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO master_key_check (id, sealed) VALUES (1, ?)",
                       arguments: [try box.seal(checkText, owner: checkOwner)])
    }

    /// Re-seals every stored key (the policy's and every version's) and the check value under `newBox`;
    /// returns how many keys of the policy in force were re-sealed.
    static func reseal(from oldBox: SecretBox, to newBox: SecretBox, in db: Database) throws -> Int {
        var count = 0
        for column in columns {
            for row in try Row.fetchAll(db, sql: "SELECT id, \(column.sealed) AS sealed FROM \(column.table)") {
                let owner = SecretOwner(kind: column.kind, id: row["id"])
                let secret = try oldBox.open(row["sealed"], owner: owner)
                try db.execute(sql: "UPDATE \(column.table) SET \(column.sealed) = ? WHERE id = ?", arguments: [try newBox.seal(secret, owner: owner), owner.id])
                count += 1
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT version, owner_kind, owner_id, sealed FROM policy_version_secret") {
            let owner = SecretOwner(kind: row["owner_kind"], id: row["owner_id"])
            let secret = try oldBox.open(row["sealed"], owner: owner)
            try db.execute(sql: "UPDATE policy_version_secret SET sealed = ? WHERE version = ? AND owner_kind = ? AND owner_id = ?",
                           arguments: [try newBox.seal(secret, owner: owner), row["version"] as Int, owner.kind, owner.id])
        }
        try writeCheck(newBox, in: db)
        return count
    }
}
