import Crypto
import LeadPolicy
import Foundation

/// The hash chain over the audit log: each event's hash is SHA-256 of the previous hash and the
/// event's canonical content, so editing, inserting or deleting a row breaks every later link.
public enum AuditChain {
    /// The `prev_hash` of the first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// The canonical content: the stored columns, in a fixed order, as one JSON array. The before and
    /// after documents enter as the exact stored text, so no re-encoding can change the hash.
    public static func hash(prevHash: String, seq: Int64, at: String, type: String, actor: AuditActor,
                            entityKind: String, entityID: String?, before: String?, after: String?) -> String {
        let fields: [String?] = [
            String(seq), at, type, actor.kind.rawValue, actor.id, actor.name, entityKind, entityID, before, after,
        ]
        // Byte for byte what `JSONEncoder()` writes for `fields` (slashes escaped), which is what every
        // hash already recorded was computed over.
        var canonical = JSONText(escapesSlashes: true)
        canonical.array(fields) { $0.optionalString($1) }
        var hasher = SHA256()
        var previous = prevHash
        previous.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(ascii: "\n")) { hasher.update(bufferPointer: $0) }
        canonical.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hex.string(hasher.finalize())
    }

    public static func hash(of event: AuditEvent) -> String {
        hash(prevHash: event.prevHash, seq: event.seq, at: event.at, type: event.type, actor: event.actor,
             entityKind: event.entityKind, entityID: event.entityID, before: event.before, after: event.after)
    }
}
