import Foundation
import LeadPolicy
import LeadStore

// The API's views of vendors, tokens, console users and policy versions, typed: the JSON API answers
// from them and the console's lists render from them.

/// A vendor as `/v1/vendors` shows it: its key masked.
struct VendorView {
    let id: String
    let name: String
    let rateLimitPerMinute: Int?
    let dedupeWindowMinutes: Int
    let createdAt: String
    let apiKeyMask: String

    init(_ vendor: Vendor) {
        id = vendor.id
        name = vendor.name
        rateLimitPerMinute = vendor.rateLimitPerMinute
        dedupeWindowMinutes = vendor.dedupeWindowMinutes
        createdAt = vendor.createdAt
        apiKeyMask = vendor.apiKeyMask
    }

    var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name),
            "rate_limit_per_minute": rateLimitPerMinute.map { .number(Double($0)) } ?? .null,
            "dedupe_window_minutes": .number(Double(dedupeWindowMinutes)), "created_at": .string(createdAt),
            "api_key": .string(apiKeyMask),
        ])
    }
}

/// A bearer token as `/v1/tokens` shows it: never its secret.
struct TokenView {
    let id: String
    let name: String
    let role: Role
    let createdAt: String
    let revokedAt: String?

    init(_ token: AccessToken) {
        id = token.id
        name = token.name
        role = token.role
        createdAt = token.createdAt
        revokedAt = token.revokedAt
    }

    var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "role": .string(role.rawValue), "created_at": .string(createdAt),
            "revoked_at": revokedAt.map(JSONValue.string) ?? .null,
        ])
    }
}

/// A console user as `/v1/users` shows it: never the password or its hash.
struct UserView {
    let id: String
    let email: String
    let name: String
    let role: Role
    let disabled: Bool
    let createdAt: String

    init(_ user: ConsoleUser) {
        id = user.id
        email = user.email
        name = user.name
        role = user.role
        disabled = user.disabled
        createdAt = user.createdAt
    }

    var json: JSONValue {
        .object([
            "id": .string(id), "email": .string(email), "name": .string(name), "role": .string(role.rawValue),
            "disabled": .bool(disabled), "created_at": .string(createdAt),
        ])
    }
}

/// A policy version as `/v1/policy/versions` lists it.
struct PolicyVersionView {
    let version: Int
    let createdAt: String
    let actor: AuditActor

    init(_ version: PolicyVersion) {
        self.version = version.version
        createdAt = version.createdAt
        actor = version.actor
    }

    var json: JSONValue {
        .object([
            "version": .number(Double(version)), "created_at": .string(createdAt),
            "actor": actor.json,
        ])
    }
}

/// An audit event as `/v1/audit-events` shows it, with the entity before and after as recorded.
struct AuditEventView {
    let id: String
    let at: String
    let type: String
    let actor: AuditActor
    let entityKind: String
    let entityID: String?
    let before: JSONValue
    let after: JSONValue
    let prevHash: String
    let hash: String

    init(_ event: AuditEvent) {
        func document(_ text: String?) -> JSONValue {
            guard let text, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return .null }
            return value
        }
        id = String(event.seq)
        at = event.at
        type = event.type
        actor = event.actor
        entityKind = event.entityKind
        entityID = event.entityID
        before = document(event.before)
        after = document(event.after)
        prevHash = event.prevHash
        hash = event.hash
    }

    var json: JSONValue {
        .object([
            "id": .string(id), "at": .string(at), "type": .string(type),
            "actor": actor.json,
            "entity": .object(["kind": .string(entityKind), "id": entityID.map(JSONValue.string) ?? .null]),
            "before": before, "after": after, "prev_hash": .string(prevHash), "hash": .string(hash),
        ])
    }
}

extension AuditActor {
    /// `{"kind", "id", "name"}`: who made a change, as versions and audit events show it.
    var json: JSONValue {
        .object(["kind": .string(kind.rawValue), "id": id.map(JSONValue.string) ?? .null, "name": .string(name)])
    }
}
