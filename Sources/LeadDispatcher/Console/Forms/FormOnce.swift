import Foundation
import LeadStore
import Synchronization

/// Makes a create form's second submission (the back button, a double click) land on what the first
/// one made instead of making it twice. Each create form carries a random `form_id`; the first post
/// claims it, and once it succeeds, any later post of the same id is sent to the entity it made.
///
/// Kept in memory: a restart forgets the forms of the last day, after which a resubmitted form with
/// a chosen id is refused as a duplicate by the store, and one without makes a second entity.
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
    }

    private let entries = Mutex<[String: Entry]>([:])
    static let lifetime: TimeInterval = 24 * 3600
    static let capacity = 10_000

    /// A fresh id for a form being shown.
    static func newID() -> String {
        BearerSecret.generate(prefix: "form_")
    }

    /// Claims `formID` for the user posting it; an empty or malformed id always goes ahead (a form
    /// from before this guard, or a script).
    func claim(_ formID: String?, user: String, now: Date = Date()) -> Claim {
        guard let formID, formID.hasPrefix("form_"), formID.count <= 80 else { return .first }
        let key = user + "\u{0}" + formID
        return entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime }
                if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.at < $1.value.at })?.key {
                    entries.removeValue(forKey: oldest)
                }
            }
            if let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime {
                return entry.location.map { .done(location: $0) } ?? .inFlight
            }
            entries[key] = Entry(location: nil, at: now)
            return .first
        }
    }

    /// The form made what lives at `location`.
    func finish(_ formID: String?, user: String, location: String) {
        guard let formID else { return }
        entries.withLock { $0[user + "\u{0}" + formID]?.location = location }
    }

    /// The form was refused: it may be corrected and posted again.
    func release(_ formID: String?, user: String) {
        guard let formID else { return }
        _ = entries.withLock { $0.removeValue(forKey: user + "\u{0}" + formID) }
    }
}
