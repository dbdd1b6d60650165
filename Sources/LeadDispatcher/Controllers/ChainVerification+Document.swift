import LeadPolicy
import LeadStore

extension ChainVerification {
    /// `{"ok", "checked", "first_broken_id", "problem", "newest_id", "newest_hash"}`, as the API and
    /// `audit verify` print it; the newest is the last event that checked out.
    public var document: JSONValue {
        .object([
            "ok": .bool(ok),
            "checked": .number(Double(checked)),
            "first_broken_id": firstBrokenID.map(JSONValue.string) ?? .null,
            "problem": problem.map(JSONValue.string) ?? .null,
            "newest_id": newestID.map(JSONValue.string) ?? .null,
            "newest_hash": newestHash.map(JSONValue.string) ?? .null,
        ])
    }
}
