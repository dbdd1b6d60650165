import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore: UserRepository {
    public func users() async throws -> [ConsoleUser] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM console_user ORDER BY created_at, id").map(Self.user(from:)) }
    }

    public func user(id: String) async throws -> ConsoleUser? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM console_user WHERE id = ?", arguments: [id]).map(Self.user(from:)) }
    }

    public func userForSignIn(email: String) async throws -> (ConsoleUser, passwordHash: String)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_user WHERE email = ? COLLATE NOCASE", arguments: [email])
                .map { (Self.user(from: $0), $0["password_hash"]) }
        }
    }

    public func createUser(email: String, name: String, role: Role, passwordHash: String, actor: AuditActor) async throws -> ConsoleUser {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM console_user WHERE email = ? COLLATE NOCASE", arguments: [email]) == true {
                throw PolicyError(.duplicate, field: "email", "a user with this email exists already")
            }
            let taken = Set(try String.fetchAll(db, sql: "SELECT id FROM console_user"))
            let local = email.split(separator: "@").first.map(String.init) ?? ""
            let user = ConsoleUser(id: Slug.make(from: name.isEmpty ? local : name, fallback: "user", taken: taken), email: email,
                                   name: name, role: role, disabled: false, createdAt: Timestamp.string(Date()))
            try db.execute(sql: """
                INSERT INTO console_user (id, email, name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)
                """, arguments: [user.id, user.email, user.name, user.role.rawValue, passwordHash, user.createdAt])
            try AuditLog.append(NewAuditEvent(type: "user.created", entityKind: "user", entityID: user.id, after: user.auditView), actor: actor, in: db)
            return user
        }
    }

    public func updateUser(id: String, _ change: ConsoleUserChange, actor: AuditActor) async throws -> ConsoleUser {
        try await pool.write { db in
            guard let before = try Row.fetchOne(db, sql: "SELECT * FROM console_user WHERE id = ?", arguments: [id]).map(Self.user(from:)) else {
                throw PolicyError(.notFound, field: "id", "no user '\(id)'")
            }
            let after = before.applying(change)
            // The last enabled admin keeps the console administrable.
            if before.losesAnAdmin(becoming: after) {
                let others = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM console_user WHERE role = 'admin' AND disabled = 0 AND id <> ?",
                                              arguments: [id]) ?? 0
                guard others > 0 else {
                    throw PolicyError(.inUse, field: "id", "'\(id)' is the last enabled console admin: make another user admin first")
                }
            }
            try db.execute(sql: "UPDATE console_user SET name = ?, role = ?, disabled = ? WHERE id = ?",
                           arguments: [after.name, after.role.rawValue, after.disabled, id])
            if let hash = change.passwordHash {
                try db.execute(sql: "UPDATE console_user SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            }
            if let event = before.updateEvent(to: after, passwordChanged: change.passwordHash != nil) {
                try AuditLog.append(event, actor: actor, in: db)
            }
            return after
        }
    }

    static func user(from row: Row) -> ConsoleUser {
        ConsoleUser(id: row["id"], email: row["email"], name: row["name"], role: Role(rawValue: row["role"]) ?? .auditor,
                    disabled: row["disabled"], createdAt: row["created_at"])
    }
}
