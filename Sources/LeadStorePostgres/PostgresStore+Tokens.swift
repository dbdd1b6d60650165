import Foundation
import LeadPolicy
import LeadStore
import PostgresNIO

extension PostgresStore: TokenRepository {
    public func tokens() async throws -> [AccessToken] {
        try await columns("SELECT id, name, role, created_at, revoked_at FROM token ORDER BY created_at, id").map(Self.token)
    }

    public func token(id: String) async throws -> AccessToken? {
        try await columns("SELECT id, name, role, created_at, revoked_at FROM token WHERE id = \(id)").first.map(Self.token)
    }

    public func createToken(name: String, role: Role, actor: AuditActor) async throws -> (AccessToken, secret: String) {
        let name = try EntityName.check(name.trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
        let secret = BearerSecret.generate(prefix: "ldt_")
        let token = try await transaction { [self] connection in
            // Ids are made from names: one maker at a time, so two instances never pick the same one.
            try await connection.query("LOCK TABLE token IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            let taken = Set(try await connection.query("SELECT id FROM token", logger: logger).collect().map { try $0.decode(String.self) })
            let token = AccessToken(id: Slug.make(from: name, fallback: "token", taken: taken), name: name, role: role,
                                    createdAt: Timestamp.string(Date()), revokedAt: nil)
            try await connection.query("""
                INSERT INTO token (id, name, role, token_hash, created_at)
                VALUES (\(token.id), \(token.name), \(token.role.rawValue), \(BearerSecret.hash(secret)), \(token.createdAt))
                """, logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "token.created", entityKind: "token", entityID: token.id, after: token.auditView)],
                                                 actor: actor, connection, logger: logger)
            return token
        }
        return (token, secret)
    }

    public func renameToken(id: String, name: String, actor: AuditActor) async throws -> AccessToken {
        let name = try EntityName.check(name.trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
        return try await transaction { [self] connection in
            guard var token = try await connection.query("SELECT id, name, role, created_at, revoked_at FROM token WHERE id = \(id) FOR UPDATE",
                                                         logger: logger).columns().first.map(Self.token) else {
                throw PolicyError(.notFound, field: "id", "no token '\(id)'")
            }
            let before = token.auditView
            token.name = name
            try await connection.query("UPDATE token SET name = \(name) WHERE id = \(id)", logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "token.updated", entityKind: "token", entityID: id, before: before, after: token.auditView)],
                                                 actor: actor, connection, logger: logger)
            return token
        }
    }

    public func revokeToken(id: String, actor: AuditActor) async throws -> AccessToken {
        try await transaction { [self] connection in
            // The whole table locked against other revocations: two instances revoking the last two
            // admin tokens at once must not both see the other one still live.
            try await connection.query("LOCK TABLE token IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            guard var token = try await connection.query("SELECT id, name, role, created_at, revoked_at FROM token WHERE id = \(id)",
                                                         logger: logger).columns().first.map(Self.token) else {
                throw PolicyError(.notFound, field: "id", "no token '\(id)'")
            }
            guard token.revokedAt == nil else { return token }
            if token.role == .admin {
                let others = try await connection.query("""
                    SELECT COUNT(*) FROM token WHERE role = 'admin' AND revoked_at IS NULL AND id <> \(id)
                    """, logger: logger).collect().first?.decode(Int.self) ?? 0
                guard others > 0 else {
                    throw PolicyError(.inUse, field: "id", "'\(id)' is the last live admin token: create another admin token before revoking it")
                }
            }
            let before = token.auditView
            token.revokedAt = Timestamp.string(Date())
            try await connection.query("UPDATE token SET revoked_at = \(token.revokedAt) WHERE id = \(id)", logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "token.revoked", entityKind: "token", entityID: id, before: before, after: token.auditView)],
                                                 actor: actor, connection, logger: logger)
            return token
        }
    }

    public func authenticateToken(_ secret: String) async throws -> AccessToken? {
        let hash = BearerSecret.hash(secret)
        guard let row = try await columns("""
            SELECT id, name, role, created_at, revoked_at, token_hash FROM token WHERE token_hash = \(hash)
            """).first,
              BearerSecret.constantTimeEquals(try row["token_hash"], hash) else { return nil }
        let token = try Self.token(row)
        return token.isRevoked ? nil : token
    }

    static func token(_ row: PostgresColumns) throws -> AccessToken {
        AccessToken(id: try row["id"], name: try row["name"], role: Role(rawValue: try row["role"]) ?? .auditor,
                    createdAt: try row["created_at"], revokedAt: try row["revoked_at"])
    }
}
