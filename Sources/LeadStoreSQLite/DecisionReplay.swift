import Foundation
import GRDB
import LeadStore
import LeadPolicy
import Synchronization

/// A lead's decision is not stored word for word. The lead keeps what the engine cannot recompute —
/// the policy version it was decided under and the routing state the engine read (`state_json`, the
/// rotations, counts and earlier assignments it looked at) — and its decision, explanation included,
/// is decided again from the lead, that policy and that state when read. The engine is pure: the same
/// inputs give the same decision, word for word, so the explanation served is the one the engine made
/// when the lead came in, and its wording lives in the engine alone.
///
/// `decision_json` holds `DecisionReplay.rederived` (an empty text) for such a lead; a row written
/// before this form (or one a conversion could not match exactly) keeps its decision as JSON, read as it is.
enum DecisionReplay {
    static let rederived = ""

    /// The decision of a stored lead: read from `text` when it holds one, else decided again.
    /// `pick` is the agent the lead went to: a pool's round robin takes that pick again rather than
    /// replaying its rotation (see `RoutingState.recordedPick`).
    static func decision(text: String, lead: Lead, state: RoutingState?, pick: String?, policyVersion: Int?, duplicateOf: String?,
                         policies: PolicyVersionCache, in db: Database) throws -> Decision {
        if text != rederived {
            return try LeadTables.decoder.decode(Decision.self, from: Data(text.utf8))
        }
        if let duplicateOf { return LeadTables.duplicateDecision(of: duplicateOf) }
        guard var state else { throw StoreError.conflict("a lead's stored routing state is missing") }
        state.recordedPick = pick
        var lead = lead
        // Retention erases the email; the engine reads only whether there was one (for sticky pools),
        // and the state holds earlier assignments only for a lead that had one.
        if lead.email == nil, !state.previousAssignments.isEmpty { lead.email = erasedEmail }
        return RoutingEngine.decide(lead, policy: try policies.policy(policyVersion, in: db), state: state).decision
    }

    /// Converts leads stored with their decision written out to the form that decides it again when
    /// read, each one checked: a lead whose decision, decided again from its policy
    /// version and stored state, is not exactly the one stored (words included) keeps it as it was, as
    /// does one that cannot be decided again (no stored state, a missing version).
    static func convertStoredDecisions(in db: Database) throws {
        let policies = PolicyVersionCache()
        var convertible: [String] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(LeadTables.summaryColumns), decision_json, state_json, duplicate_of FROM lead WHERE decision_json <> ''
            """)
        while let row = try rows.next() {
            guard let summary = try? LeadTables.summary(fromSummaryColumns: row),
                  let stored = try? LeadTables.decoder.decode(Decision.self, from: Data((row[14] as String).utf8)) else { continue }
            let state = try? (row[15] as String?).map { try StoredState.parse($0, receivedAt: summary.receivedAt).state }
            // Versions written before field conditions existed hold none: the fields are not read.
            let again = try? DecisionReplay.decision(text: DecisionReplay.rederived, lead: summary.engineLead(fields: [:]), state: state ?? nil,
                                                     pick: summary.target?.agentID,
                                                     policyVersion: summary.policyVersion, duplicateOf: row[16], policies: policies, in: db)
            if again == stored { convertible.append(summary.id) }
        }
        let update = try db.cachedStatement(sql: "UPDATE lead SET decision_json = '' WHERE id = ?")
        for id in convertible {
            try update.execute(arguments: [id])
        }
    }

    /// Stands in for an erased email when a decision is decided again; it is never shown.
    static let erasedEmail = "erased@erased.invalid"
}

/// Parsed policies of recent versions, for deciding stored leads again: the leads of a page or an
/// export were mostly decided under a few versions. Versions never change once written.
final class PolicyVersionCache: Sendable {
    private let policies = Mutex<[Int: Policy]>([:])
    static let capacity = 32

    func policy(_ version: Int?, in db: Database) throws -> Policy {
        guard let version else { return Policy() }
        if let cached = policies.withLock({ $0[version] }) { return cached }
        let policy = try PolicyVersions.policy(version, in: db)
        policies.withLock { cache in
            if cache.count >= Self.capacity, let oldest = cache.keys.min() { cache.removeValue(forKey: oldest) }
            cache[version] = policy
        }
        return policy
    }
}
