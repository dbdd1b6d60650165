import Crypto
import Foundation
import LeadStore
import Synchronization

/// Makes a create form's second submission (the back button, a double click) land on what the first
/// one made instead of making it twice.
///
/// Two ways a form comes back: a double click posts the same page twice, with the same random
/// `form_id`; the back button shows the form again — and since pages are `no-store`, the browser asks
/// for it anew, with a new `form_id` — and the user submits what they typed before. So a form is
/// recognised by its `form_id` for a day, and by what it says (every input but the token and the id,
/// kept as a SHA-256 so that no key typed into it stays in memory) for `sameContentWindow`: the same
/// user posting the same create form again within minutes is a resubmission, not a wish for a twin.
///
/// Kept in memory: a restart forgets them, after which a resubmitted form with a chosen id is refused
/// as a duplicate by the store, and one without makes a second entity.
final class FormOnce: Sendable {
    enum Claim: Equatable {
        /// The first post of this form: go ahead, then `finish` or `release`.
        case first
        /// Made already: where it is.
        case done(location: String)
        /// The first post is still being handled.
        case inFlight
    }

    private struct Entry {
        var location: String?
        var at: Date
        var lifetime: TimeInterval
    }

    private let entries = Mutex<[String: Entry]>([:])
    static let lifetime: TimeInterval = 24 * 3600
    static let sameContentWindow: TimeInterval = 10 * 60
    static let capacity = 10_000
    /// Inputs that differ between two showings of one form, left out of what it says.
    static let volatileInputs: Set<String> = ["csrf_token", "form_id", "intent", "fingerprint"]

    /// A fresh id for a form being shown.
    static func newID() -> String {
        BearerSecret.generate(prefix: "form_")
    }

    /// Claims a create form of `section` for the user posting it. A form with an empty or malformed
    /// id (one from before this guard, or a script) is still recognised by what it says.
    func claim(_ form: [String: String], section: String, user: String, now: Date = Date()) -> Claim {
        let keys = Self.keys(form, section: section, user: user)
        return entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { now.timeIntervalSince($0.value.at) < $0.value.lifetime }
                if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.at < $1.value.at })?.key {
                    entries.removeValue(forKey: oldest)
                }
            }
            for key in keys.all {
                if let entry = entries[key.key], now.timeIntervalSince(entry.at) < entry.lifetime {
                    return entry.location.map { .done(location: $0) } ?? .inFlight
                }
            }
            for key in keys.all { entries[key.key] = Entry(location: nil, at: now, lifetime: key.lifetime) }
            return .first
        }
    }

    /// The form made what lives at `location`.
    func finish(_ form: [String: String], section: String, user: String, location: String) {
        let keys = Self.keys(form, section: section, user: user)
        entries.withLock { entries in
            for key in keys.all { entries[key.key]?.location = location }
        }
    }

    /// The form was refused: it may be corrected and posted again.
    func release(_ form: [String: String], section: String, user: String) {
        let keys = Self.keys(form, section: section, user: user)
        entries.withLock { entries in
            for key in keys.all { entries.removeValue(forKey: key.key) }
        }
    }

    private struct Keys {
        var all: [(key: String, lifetime: TimeInterval)]
    }

    private static func keys(_ form: [String: String], section: String, user: String) -> Keys {
        var all: [(String, TimeInterval)] = []
        if let formID = form["form_id"], formID.hasPrefix("form_"), formID.count <= 80 {
            all.append(("id\u{0}\(user)\u{0}\(formID)", lifetime))
        }
        var digest = SHA256()
        for (name, value) in form.sorted(by: { $0.key < $1.key }) where !volatileInputs.contains(name) {
            digest.update(data: Data("\(name)\u{0}\(value)\u{0}".utf8))
        }
        let content = digest.finalize().map { String(format: "%02x", $0) }.joined()
        all.append(("content\u{0}\(user)\u{0}\(section)\u{0}\(content)", sameContentWindow))
        return Keys(all: all)
    }
}
