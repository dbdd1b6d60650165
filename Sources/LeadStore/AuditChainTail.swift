import Foundation
import LeadPolicy

/// The end of the hash chain as one write transaction appends to it: the last position and hash,
/// read once (from wherever the store keeps them) and moved along by each event appended, so a batch
/// of leads costs one read of the tail rather than one per event.
package struct AuditChainTail: Sendable {
    package private(set) var seq: Int64
    package private(set) var hash: String
    /// The last time written, as text: every event of a batch shares the batch's time.
    private var lastAt: (date: Date, text: String)?

    package init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// The columns of the next event as stored: its position, time, documents and hash.
    package struct Row: Sendable {
        package let seq: Int64
        package let at: String
        package let type: String
        package let actor: AuditActor
        package let entityKind: String
        package let entityID: String?
        package let before: String?
        package let after: String?
        package let hash: String
    }

    /// Chains `event` to the tail and moves the tail to it.
    package mutating func append(_ event: NewAuditEvent, actor: AuditActor, at date: Date = Date()) -> Row {
        seq += 1
        let at: String
        if let lastAt, lastAt.date == date {
            at = lastAt.text
        } else {
            at = Timestamp.string(date)
            lastAt = (date, at)
        }
        let before = AuditText.text(event.before)
        let after = event.afterText ?? AuditText.text(event.after)
        hash = AuditChain.hash(prevHash: hash, seq: seq, at: at, type: event.type, actor: actor,
                               entityKind: event.entityKind, entityID: event.entityID, before: before, after: after)
        return Row(seq: seq, at: at, type: event.type, actor: actor, entityKind: event.entityKind, entityID: event.entityID,
                   before: before, after: after, hash: hash)
    }
}

/// How an audit event's before and after documents are stored: keys sorted, slashes unescaped, the
/// exact text every hash is computed over.
package enum AuditText {
    package static func text(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        var text = JSONText()
        text.value(value, sortingKeys: true)
        return text.text
    }
}
