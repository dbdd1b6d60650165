import Foundation

/// The delivery pipeline's backlog at one moment, for `/metrics`.
public struct PipelineSnapshot: Sendable, Equatable {
    /// Leads in the outbox: waiting for their first attempt, for a retry, or being delivered.
    public var outboxDepth: Int
    /// When the longest-waiting lead in the outbox was received; nil when the outbox is empty.
    public var oldestPendingReceivedAt: Date?
    /// Leads that used up their attempts (status `dead`) and wait for someone to redeliver them.
    public var deadLeads: Int

    public init(outboxDepth: Int, oldestPendingReceivedAt: Date?, deadLeads: Int) {
        self.outboxDepth = outboxDepth
        self.oldestPendingReceivedAt = oldestPendingReceivedAt
        self.deadLeads = deadLeads
    }
}
