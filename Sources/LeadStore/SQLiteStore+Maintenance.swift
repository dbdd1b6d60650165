import Foundation
import GRDB
import LeadPolicy

extension SQLiteStore {
    /// Writes a consistent copy of the database to `path` with `VACUUM INTO`, from a connection that only
    /// reads: safe while the service runs, and the copy holds every transaction committed before it began.
    public func backup(to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.conflict("\(path) exists already; a backup never overwrites a file")
        }
        try await pool.unsafeRead { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [path])
        }
    }

    /// Re-encrypts every CRM key under `newKey` in one transaction; returns how many keys. The store keeps
    /// using its old key until it is reopened, so the caller switches the key file (or environment) next.
    public func reencryptSecrets(with newKey: MasterKey) async throws -> Int {
        let oldBox = secretBox
        let newBox = SecretBox(masterKey: newKey)
        return try await pool.write { db in
            var count = 0
            for (table, kind, column) in [("account", Account.kind, "admin_api_key_sealed"), ("agent", Agent.kind, "api_key_sealed")] {
                for row in try Row.fetchAll(db, sql: "SELECT id, \(column) AS sealed FROM \(table)") {
                    let owner = SecretOwner(kind: kind, id: row["id"])
                    let secret = try oldBox.open(row["sealed"], owner: owner)
                    try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE id = ?", arguments: [try newBox.seal(secret, owner: owner), owner.id])
                    count += 1
                }
            }
            try AuditLog.append(NewAuditEvent(type: "secrets.rotated", entityKind: "master_key", entityID: nil,
                                              after: .object(["keys": .number(Double(count))])), actor: .cli("secrets rotate"), in: db)
            return count
        }
    }
}
