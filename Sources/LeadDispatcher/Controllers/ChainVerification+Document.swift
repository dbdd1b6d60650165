import LeadPolicy
import LeadStore

extension ChainVerification {
    /// `{"ok", "checked", "first_broken_id", "problem"}`, as the API and `audit verify` print it.
    public var document: JSONValue {
        .object([
            "ok": .bool(ok),
            "checked": .number(Double(checked)),
            "first_broken_id": firstBrokenID.map(JSONValue.string) ?? .null,
            "problem": problem.map(JSONValue.string) ?? .null,
        ])
    }
}
