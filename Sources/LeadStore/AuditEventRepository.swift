import Foundation

/// Which audit events to list.
public struct AuditEventQuery: Sendable {
    public var type: String?
    /// RFC 3339 bounds on the event time, `since` inclusive, `until` exclusive.
    public var since: Date?
    public var until: Date?
    public var limit: Int
    /// Only events before this position (the cursor of the previous page).
    public var beforeSeq: Int64?
    /// Only events about this kind of entity (`agent`, `lead`, …) and, when given, this one.
    public var entityKind: String?
    public var entityID: String?
    /// Only events made by this actor: its id (a token's or a user's) or its name (`lead-dispatcher policy import`).
    public var actor: String?

    public init(type: String? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 50, beforeSeq: Int64? = nil,
                entityKind: String? = nil, entityID: String? = nil, actor: String? = nil) {
        self.type = type
        self.since = since
        self.until = until
        self.limit = limit
        self.beforeSeq = beforeSeq
        self.entityKind = entityKind
        self.entityID = entityID
        self.actor = actor
    }
}

/// The audit log, read side. Events are appended by the other repositories inside their own write
/// transactions, so a change and its record commit together.
public protocol AuditEventRepository: Sendable {
    /// Events newest first.
    func auditEvents(_ query: AuditEventQuery) async throws -> [AuditEvent]

    /// Recomputes the whole hash chain.
    func verifyAuditChain() async throws -> ChainVerification
}

extension AuditEventRepository {
    /// Events newest first, of one type or all, strictly before `beforeSeq` when given.
    public func auditEvents(type: String?, limit: Int, beforeSeq: Int64?) async throws -> [AuditEvent] {
        try await auditEvents(AuditEventQuery(type: type, limit: limit, beforeSeq: beforeSeq))
    }
}
