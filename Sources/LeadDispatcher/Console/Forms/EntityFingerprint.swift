import Crypto
import Foundation
import LeadPolicy

/// A short digest of an entity as a form showed it, sent back with the form: when the entity's
/// digest differs by the time the form is posted, someone changed it in between, and the form says so
/// instead of overwriting that change.
enum EntityFingerprint {
    static func of(_ view: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(view)) ?? Data()
        return SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}

/// A form posted against an entity that has changed since the form was loaded.
struct StaleEdit: Error {
    var kind: String
    var id: String

    var message: String {
        "This \(kind) was changed by someone else after you opened the form, so your change was not saved. The form now shows the current values: make your change again."
    }
}
