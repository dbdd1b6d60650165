import Foundation
import LeadPolicy
import LeadStore
import PostgresNIO

extension PostgresStore: UserRepository {
    public func users() async throws -> [ConsoleUser] {
        try await columns("SELECT id, email, name, role, disabled, created_at FROM console_user ORDER BY created_at, id")
            .map(Self.user)
    }

    public func user(id: String) async throws -> ConsoleUser? {
        try await columns("SELECT id, email, name, role, disabled, created_at FROM console_user WHERE id = \(id)")
            .first.map(Self.user)
    }

    public func userForSignIn(email: String) async throws -> (ConsoleUser, passwordHash: String)? {
        guard let row = try await columns("""
            SELECT id, email, name, role, disabled, created_at, password_hash FROM console_user WHERE lower(email) = lower(\(email))
            """).first else { return nil }
        return (try Self.user(row), try row["password_hash"])
    }

    public func createUser(email: String, name: String, role: Role, passwordHash: String, actor: AuditActor) async throws -> ConsoleUser {
        try await transaction { [self] connection in
            try await connection.query("LOCK TABLE console_user IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            if !(try await connection.query("SELECT 1 FROM console_user WHERE lower(email) = lower(\(email))", logger: logger).collect().isEmpty) {
                throw PolicyError(.duplicate, field: "email", "a user with this email exists already")
            }
            let taken = Set(try await connection.query("SELECT id FROM console_user", logger: logger).collect().map { try $0.decode(String.self) })
            let local = email.split(separator: "@").first.map(String.init) ?? ""
            let user = ConsoleUser(id: Slug.make(from: name.isEmpty ? local : name, fallback: "user", taken: taken), email: email,
                                   name: name, role: role, disabled: false, createdAt: Timestamp.string(Date()))
            try await connection.query("""
                INSERT INTO console_user (id, email, name, role, password_hash, disabled, created_at)
                VALUES (\(user.id), \(user.email), \(user.name), \(user.role.rawValue), \(passwordHash), false, \(user.createdAt))
                """, logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "user.created", entityKind: "user", entityID: user.id, after: user.auditView)],
                                                 actor: actor, connection, logger: logger)
            return user
        }
    }

    public func updateUser(id: String, _ change: ConsoleUserChange, actor: AuditActor) async throws -> ConsoleUser {
        try await transaction { [self] connection in
            // Locked against other changes to users: the last enabled admin is counted, then kept.
            try await connection.query("LOCK TABLE console_user IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            guard let before = try await connection.query("SELECT id, email, name, role, disabled, created_at FROM console_user WHERE id = \(id)",
                                                          logger: logger).columns().first.map(Self.user) else {
                throw PolicyError(.notFound, field: "id", "no user '\(id)'")
            }
            let after = before.applying(change)
            if before.losesAnAdmin(becoming: after) {
                let others = try await connection.query("""
                    SELECT COUNT(*) FROM console_user WHERE role = 'admin' AND NOT disabled AND id <> \(id)
                    """, logger: logger).collect().first?.decode(Int.self) ?? 0
                guard others > 0 else {
                    throw PolicyError(.inUse, field: "id", "'\(id)' is the last enabled console admin: make another user admin first")
                }
            }
            try await connection.query("""
                UPDATE console_user SET name = \(after.name), role = \(after.role.rawValue), disabled = \(after.disabled) WHERE id = \(id)
                """, logger: logger)
            if let hash = change.passwordHash {
                try await connection.query("UPDATE console_user SET password_hash = \(hash) WHERE id = \(id)", logger: logger)
            }
            if let event = before.updateEvent(to: after, passwordChanged: change.passwordHash != nil) {
                try await PostgresAuditWriter.append([event], actor: actor, connection, logger: logger)
            }
            return after
        }
    }

    static func user(_ row: PostgresColumns) throws -> ConsoleUser {
        ConsoleUser(id: try row["id"], email: try row["email"], name: try row["name"], role: Role(rawValue: try row["role"]) ?? .auditor,
                    disabled: try row["disabled"], createdAt: try row["created_at"])
    }
}
