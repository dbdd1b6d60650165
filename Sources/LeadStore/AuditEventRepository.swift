import Foundation

/// The audit log, read side. Events are appended by the other repositories inside their own write
/// transactions, so a change and its record commit together.
public protocol AuditEventRepository: Sendable {
    /// Events newest first, strictly before `beforeSeq` when given.
    func auditEvents(type: String?, limit: Int, beforeSeq: Int64?) async throws -> [AuditEvent]
}
