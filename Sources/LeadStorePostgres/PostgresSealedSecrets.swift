import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// The master key check on PostgreSQL: a value sealed under the master key in `master_key_check`.
/// Every instance on one database must share one master key — each seals keys the others must open —
/// so an instance whose key does not open the check value refuses to start.
enum PostgresSealedSecrets {
    static let checkOwner = SecretOwner(kind: "master_key", id: "check")
    static let checkText = "lead-dispatcher master key check"

    /// Checks that `box` opens the check value, writing it first when the database has none (its first
    /// start). Two instances starting on an empty database with different keys: one writes the value,
    /// the other finds it written and refuses. Throws `StoreError.wrongMasterKey`.
    static func verify(_ box: SecretBox, client: PostgresClient, logger: Logger) async throws {
        let sealed = try box.seal(checkText, owner: checkOwner)
        try await PostgresStore.unwrapped { try await client.withTransaction(logger: logger) { connection in
            // Keys stored before any check value (none on a database this service set up) must open too.
            let existing = try await connection.query("SELECT sealed FROM master_key_check WHERE id = 1", logger: logger)
                .collect().first?.decode(ByteBuffer.self)
            if existing == nil {
                for (table, kind, column) in [("account", Account.kind, "admin_api_key_sealed"), ("agent", Agent.kind, "api_key_sealed")] {
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT id, \(column) FROM \(table)"), logger: logger)
                    for try await (id, key) in rows.decode((String, ByteBuffer).self) {
                        guard (try? box.open(Data(buffer: key), owner: SecretOwner(kind: kind, id: id))) != nil else {
                            throw StoreError.wrongMasterKey
                        }
                    }
                }
                try await connection.query("""
                    INSERT INTO master_key_check (id, sealed) VALUES (1, \(ByteBuffer(data: sealed))) ON CONFLICT (id) DO NOTHING
                    """, logger: logger)
            }
        } }
        guard try await opens(box, client: client, logger: logger) else { throw StoreError.wrongMasterKey }
    }

    /// True when `box` opens the check value (false before one is written).
    static func opens(_ box: SecretBox, client: PostgresClient, logger: Logger) async throws -> Bool {
        guard let sealed = try await client.query("SELECT sealed FROM master_key_check WHERE id = 1", logger: logger)
            .collect().first?.decode(ByteBuffer.self) else { return false }
        return (try? box.open(Data(buffer: sealed), owner: checkOwner)) == checkText
    }
}

extension PostgresStore {
    /// Re-encrypts every CRM key (those in force and those kept with policy versions) and the check
    /// value under `newKey` in one transaction; returns how many keys of the policy in force. Every
    /// instance keeps its old key until restarted with the new one: stop them all first.
    public func reencryptSecrets(with newKey: MasterKey) async throws -> Int {
        let oldBox = try requireSecretBox()
        let newBox = SecretBox(masterKey: newKey)
        return try await transaction { [self] connection in
            try await PolicyLock.exclusive(connection, logger: logger)
            var count = 0
            for (table, kind, column) in [("account", Account.kind, "admin_api_key_sealed"), ("agent", Agent.kind, "api_key_sealed")] {
                for row in try await connection.query(PostgresQuery(unsafeSQL: "SELECT id, \(column) FROM \(table) FOR UPDATE"), logger: logger).collect() {
                    let (id, sealed) = try row.decode((String, Data).self)
                    let owner = SecretOwner(kind: kind, id: id)
                    let resealed = try newBox.seal(try oldBox.open(sealed, owner: owner), owner: owner)
                    if kind == Account.kind {
                        try await connection.query("UPDATE account SET admin_api_key_sealed = \(resealed) WHERE id = \(id)", logger: logger)
                    } else {
                        try await connection.query("UPDATE agent SET api_key_sealed = \(resealed) WHERE id = \(id)", logger: logger)
                    }
                    count += 1
                }
            }
            for row in try await connection.query("SELECT version, owner_kind, owner_id, sealed FROM policy_version_secret FOR UPDATE", logger: logger).collect() {
                let (version, kind, id, sealed) = try row.decode((Int, String, String, Data).self)
                let owner = SecretOwner(kind: kind, id: id)
                let resealed = try newBox.seal(try oldBox.open(sealed, owner: owner), owner: owner)
                try await connection.query("""
                    UPDATE policy_version_secret SET sealed = \(resealed) WHERE version = \(version) AND owner_kind = \(kind) AND owner_id = \(id)
                    """, logger: logger)
            }
            try await connection.query("UPDATE master_key_check SET sealed = \(try newBox.seal(checkText, owner: checkOwner)) WHERE id = 1",
                                       logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "secrets.rotated", entityKind: "master_key", entityID: nil,
                                                                after: .object(["keys": .number(Double(count))]))],
                                                 actor: .cli("secrets rotate"), connection, logger: logger)
            return count
        }
    }

    private var checkOwner: SecretOwner { PostgresSealedSecrets.checkOwner }
    private var checkText: String { PostgresSealedSecrets.checkText }
}
