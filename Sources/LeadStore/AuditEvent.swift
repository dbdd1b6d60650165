import Foundation
import LeadPolicy

/// One entry of the append-only audit log: a configuration change or a lead's lifecycle step.
public struct AuditEvent: Sendable, Equatable {
    /// The position in the log, shown as the event's `id`.
    public var seq: Int64
    public var at: String
    /// `agent.created`, `token.revoked`, `policy.imported`, …
    public var type: String
    public var actor: AuditActor
    public var entityKind: String
    public var entityID: String?
    /// The entity before and after the change, secrets masked; nil where it did not exist.
    public var before: String?
    public var after: String?
    public var prevHash: String
    public var hash: String

    package init(seq: Int64, at: String, type: String, actor: AuditActor, entityKind: String, entityID: String? = nil, before: String? = nil, after: String? = nil, prevHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.type = type
        self.actor = actor
        self.entityKind = entityKind
        self.entityID = entityID
        self.before = before
        self.after = after
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// An event not yet written: the store assigns its position, time and hashes.
public struct NewAuditEvent: Sendable {
    public var type: String
    public var entityKind: String
    public var entityID: String?
    public var before: JSONValue?
    public var after: JSONValue?

    /// `after` as stored, when the event's maker wrote it itself (as `AuditLog.text` would): the
    /// events of every lead are written so, without building a dictionary to sort.
    package var afterText: String?

    public init(type: String, entityKind: String, entityID: String?, before: JSONValue? = nil, after: JSONValue? = nil) {
        self.type = type
        self.entityKind = entityKind
        self.entityID = entityID
        self.before = before
        self.after = after
    }

    package init(type: String, entityKind: String, entityID: String? = nil, afterText: String) {
        self.init(type: type, entityKind: entityKind, entityID: entityID)
        self.afterText = afterText
    }
}

extension NewAuditEvent {
    /// The event of a restore of policy version `version`, as every store records it.
    package static func policyRestored(_ version: Int) -> NewAuditEvent {
        NewAuditEvent(type: "policy.restored", entityKind: "policy", entityID: String(version),
                      after: .object(["restored_version": .number(Double(version))]))
    }
}
