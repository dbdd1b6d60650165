import Foundation
import LeadPolicy

/// A person who signs in to the console, as stored: a bcrypt hash of the password, never the password.
public struct ConsoleUser: Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String
    public var role: Role
    public var disabled: Bool
    public var createdAt: String

    public init(id: String, email: String, name: String, role: Role, disabled: Bool, createdAt: String) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.disabled = disabled
        self.createdAt = createdAt
    }
}

/// What a change to a user sets; nil leaves a field as it is.
public struct ConsoleUserChange: Sendable {
    public var name: String?
    public var role: Role?
    public var disabled: Bool?
    /// A new bcrypt hash.
    public var passwordHash: String?

    public init(name: String? = nil, role: Role? = nil, disabled: Bool? = nil, passwordHash: String? = nil) {
        self.name = name
        self.role = role
        self.disabled = disabled
        self.passwordHash = passwordHash
    }
}

/// Console users. Every change is an audit event naming the actor; the last enabled admin can be
/// neither disabled nor made an auditor (409), so that someone can always administer the console.
public protocol UserRepository: Sendable {
    func users() async throws -> [ConsoleUser]
    func user(id: String) async throws -> ConsoleUser?
    /// The user with this email (compared without case) and its password hash, for a sign-in.
    func userForSignIn(email: String) async throws -> (ConsoleUser, passwordHash: String)?
    /// Throws `PolicyError` `.duplicate` (409) for an email in use.
    func createUser(email: String, name: String, role: Role, passwordHash: String, actor: AuditActor) async throws -> ConsoleUser
    /// Throws `PolicyError` `.notFound` for an unknown id, `.inUse` (409) for the last enabled admin.
    func updateUser(id: String, _ change: ConsoleUserChange, actor: AuditActor) async throws -> ConsoleUser
}

extension ConsoleUser {
    /// The user after `change` (its password hash aside, which the store writes itself).
    package func applying(_ change: ConsoleUserChange) -> ConsoleUser {
        var after = self
        if let name = change.name { after.name = name }
        if let role = change.role { after.role = role }
        if let disabled = change.disabled { after.disabled = disabled }
        return after
    }

    /// True when going from this user to `after` leaves one enabled admin fewer: the store then checks
    /// that another remains.
    package func losesAnAdmin(becoming after: ConsoleUser) -> Bool {
        role == .admin && !disabled && (after.role != .admin || after.disabled)
    }

    /// The audit event of a change from this user to `after`, or nil when nothing changed.
    package func updateEvent(to after: ConsoleUser, passwordChanged: Bool) -> NewAuditEvent? {
        guard after != self || passwordChanged else { return nil }
        let type = after.disabled && !disabled ? "user.disabled" : "user.updated"
        var shown = after.auditView
        if passwordChanged, case .object(var fields) = shown {
            fields["password_changed"] = .bool(true)
            shown = .object(fields)
        }
        return NewAuditEvent(type: type, entityKind: "user", entityID: id, before: auditView, after: shown)
    }
}
