import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore: TokenRepository {
    public func tokens() async throws -> [AccessToken] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM token ORDER BY created_at, id").map(Self.token(from:)) }
    }

    public func token(id: String) async throws -> AccessToken? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM token WHERE id = ?", arguments: [id]).map(Self.token(from:)) }
    }

    public func createToken(name: String, role: Role, actor: AuditActor) async throws -> (AccessToken, secret: String) {
        let name = try EntityName.check(name.trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
        let secret = BearerSecret.generate(prefix: "ldt_")
        let token = try await pool.write { db in
            let taken = Set(try String.fetchAll(db, sql: "SELECT id FROM token"))
            let token = AccessToken(id: Slug.make(from: name, fallback: "token", taken: taken), name: name, role: role,
                                    createdAt: Timestamp.string(Date()), revokedAt: nil)
            try db.execute(sql: "INSERT INTO token (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [token.id, token.name, token.role.rawValue, BearerSecret.hash(secret), token.createdAt])
            try AuditLog.append(NewAuditEvent(type: "token.created", entityKind: "token", entityID: token.id, after: token.auditView), actor: actor, in: db)
            return token
        }
        return (token, secret)
    }

    public func renameToken(id: String, name: String, actor: AuditActor) async throws -> AccessToken {
        let name = try EntityName.check(name.trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
        return try await pool.write { db in
            guard var token = try Row.fetchOne(db, sql: "SELECT * FROM token WHERE id = ?", arguments: [id]).map(Self.token(from:)) else {
                throw PolicyError(.notFound, field: "id", "no token '\(id)'")
            }
            let before = token.auditView
            token.name = name
            try db.execute(sql: "UPDATE token SET name = ? WHERE id = ?", arguments: [name, id])
            try AuditLog.append(NewAuditEvent(type: "token.updated", entityKind: "token", entityID: id, before: before, after: token.auditView), actor: actor, in: db)
            return token
        }
    }

    public func revokeToken(id: String, actor: AuditActor) async throws -> AccessToken {
        try await pool.write { db in
            guard var token = try Row.fetchOne(db, sql: "SELECT * FROM token WHERE id = ?", arguments: [id]).map(Self.token(from:)) else {
                throw PolicyError(.notFound, field: "id", "no token '\(id)'")
            }
            guard token.revokedAt == nil else { return token }
            // Revoking the last admin token would leave nobody able to change the policy over the API.
            if token.role == .admin {
                let others = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM token WHERE role = 'admin' AND revoked_at IS NULL AND id <> ?",
                                              arguments: [id]) ?? 0
                guard others > 0 else {
                    throw PolicyError(.inUse, field: "id", "'\(id)' is the last live admin token: create another admin token before revoking it")
                }
            }
            let before = token.auditView
            token.revokedAt = Timestamp.string(Date())
            try db.execute(sql: "UPDATE token SET revoked_at = ? WHERE id = ?", arguments: [token.revokedAt, id])
            try AuditLog.append(NewAuditEvent(type: "token.revoked", entityKind: "token", entityID: id, before: before, after: token.auditView), actor: actor, in: db)
            return token
        }
    }

    public func authenticateToken(_ secret: String) async throws -> AccessToken? {
        let hash = BearerSecret.hash(secret)
        return try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM token WHERE token_hash = ?", arguments: [hash]),
                  BearerSecret.constantTimeEquals(row["token_hash"], hash)
            else { return nil }
            let token = Self.token(from: row)
            return token.isRevoked ? nil : token
        }
    }

    static func token(from row: Row) -> AccessToken {
        AccessToken(id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .auditor,
                    createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }
}
