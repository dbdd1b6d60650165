import Foundation
import GRDB
import LeadStore
import LeadPolicy

/// A lead does not store its pool's rotation (every member's position: 20 KB a lead in a pool of a
/// thousand). It stores its place in the pool's picks — the rotation it read is the one after the
/// pool's n-th pick, and a lead that advanced the rotation made pick n + 1 (`rotation_pool`,
/// `rotation_seq`) — and a pool keeps a checkpoint of its positions every
/// `RoutingTables.checkpointEvery` picks. The rotation after pick n is the checkpoint at or before n,
/// advanced by each pick after it as the engine made it: the pick's lead, under its policy version
/// and with the daily counts it read, has the same eligible members, so the round robin picks the
/// same agent (checked against the lead's target) and leaves the same positions.
enum RotationReplay {
    /// Keeps `rotation` as the pool's positions after its pick `seq`.
    static func checkpoint(_ poolID: String, seq: Int, rotation: PoolRotation, in db: Database) throws {
        try db.executeCached(sql: "INSERT OR REPLACE INTO rotation_checkpoint (pool_id, seq, positions_json) VALUES (?, ?, ?)",
                             arguments: [poolID, seq, RotationPositions.text(rotation)])
    }

    /// The pool's rotation after its pick `seq`.
    static func rotation(_ poolID: String, after seq: Int, policies: PolicyVersionCache, in db: Database) throws -> PoolRotation {
        var (from, rotation) = try checkpoint(poolID, atOrBefore: seq, in: db)
        guard seq > from else { return rotation }
        let rows = try Row.fetchAll(
            try db.cachedStatement(sql: """
                SELECT rotation_seq, policy_version, state_json, target_agent_id, received_at FROM lead
                WHERE rotation_pool = ? AND rotation_seq > ? AND rotation_seq <= ? ORDER BY rotation_seq
                """),
            arguments: [poolID, from, seq])
        guard rows.count == seq - from else {
            throw StoreError.conflict("pool '\(poolID)': picks \(from + 1) to \(seq) are not all recorded")
        }
        for row in rows {
            let (counts, now) = try pickInputs(row["state_json"], receivedAt: row["received_at"])
            let chosen = RoutingEngine.replayPick(poolID: poolID, policy: try policies.policy(row["policy_version"], in: db),
                                                  leadsToday: counts, now: now, rotation: &rotation)
            guard let chosen, chosen == row["target_agent_id"] else {
                throw StoreError.conflict("pool '\(poolID)': pick \(row["rotation_seq"] as Int) replays to \(chosen ?? "nobody")")
            }
        }
        return rotation
    }

    /// What a pick depends on besides the policy: a stored state's daily counts and its decision time
    /// (agents away or off hours), which is the lead's `received_at` when the state leaves it out.
    static func pickInputs(_ text: String, receivedAt: String) throws -> (leadsToday: [String: Int], now: Date) {
        guard case .object(let state) = try JSONParser.parse(text.utf8) else {
            throw StoreError.conflict("a lead's stored routing state is unreadable")
        }
        let counts = try leadsToday(state)
        switch state["now"] {
        case .string(let now)?:
            guard let date = Timestamp.parse(now) else { throw StoreError.conflict("a lead's stored decision time is unreadable") }
            return (counts, date)
        case .number(let seconds)?:
            // States stored before times were RFC 3339 hold seconds since 2001.
            return (counts, Date(timeIntervalSinceReferenceDate: seconds))
        default:
            guard let date = Timestamp.parse(receivedAt) else { throw StoreError.conflict("a lead's received_at is unreadable") }
            return (counts, date)
        }
    }

    /// A stored state's daily counts alone. Read with the store's own parser: `JSONDecoder` took most
    /// of a replay's time.
    static func leadsToday(_ text: String) throws -> [String: Int] {
        guard case .object(let state) = try JSONParser.parse(text.utf8) else {
            throw StoreError.conflict("a lead's stored routing state is unreadable")
        }
        return try leadsToday(state)
    }

    private static func leadsToday(_ state: [String: JSONValue]) throws -> [String: Int] {
        // Left out when empty (see `StoredState`).
        guard let today = state["leads_today"] else { return [:] }
        guard case .object(let counts) = today else { throw StoreError.conflict("a lead's stored daily counts are unreadable") }
        return counts.compactMapValues { value in
            if case .number(let number) = value { Int(number) } else { nil }
        }
    }

    /// The pool's last checkpoint at or before pick `seq` (pick 0 and an empty rotation when none).
    static func checkpoint(_ poolID: String, atOrBefore seq: Int, in db: Database) throws -> (seq: Int, rotation: PoolRotation) {
        guard let row = try Row.fetchOne(
            try db.cachedStatement(sql: "SELECT seq, positions_json FROM rotation_checkpoint WHERE pool_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1"),
            arguments: [poolID, seq]) else { return (0, PoolRotation()) }
        return (row["seq"], try RotationPositions.rotation(row["positions_json"], poolID: poolID))
    }

    /// Before a lead's decision is replaced (a reroute), the rotation after its pick is kept, so that
    /// later leads of the pool still replay without it.
    static func preserve(_ poolID: String, seq: Int, policies: PolicyVersionCache, in db: Database) throws {
        let exists = try Int.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM rotation_checkpoint WHERE pool_id = ? AND seq = ?"),
                                      arguments: [poolID, seq]) != nil
        guard !exists else { return }
        try checkpoint(poolID, seq: seq, rotation: try rotation(poolID, after: seq, policies: policies, in: db), in: db)
    }

    /// A stored state with every rotation it names replayed in.
    static func replayed(_ stored: StoredState, policies: PolicyVersionCache, in db: Database) throws -> RoutingState {
        var state = stored.state
        for (poolID, seq) in stored.rotationSeqs ?? [:] {
            state.rotations[poolID] = try rotation(poolID, after: seq, policies: policies, in: db)
        }
        return state
    }
}

/// `state_json` as read: the routing state, and for a lead stored since rotations are replayed, each
/// pool's place in its picks (`rotation_seqs`; its rotations are then replayed, not stored). Such a
/// state leaves out what is empty and a decision time equal to the lead's `received_at` (a lead's
/// usual state is then `{"rotation_seqs":{"pool":41}}`, not 125 bytes of empty members).
struct StoredState: Decodable {
    var state: RoutingState
    var rotationSeqs: [String: Int]?
    /// False when the state left out its decision time: it is the lead's `received_at`.
    private var hasNow = true

    enum CodingKeys: String, CodingKey {
        case rotations
        case leadsToday = "leads_today"
        case previousAssignments = "previous_assignments"
        case now
        case rotationSeqs = "rotation_seqs"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rotationSeqs = try container.decodeIfPresent([String: Int].self, forKey: .rotationSeqs)
        guard rotationSeqs != nil, !container.contains(.rotations) else {
            // Written before the lean form: every member present.
            state = try RoutingState(from: decoder)
            return
        }
        let now = try container.decodeIfPresent(String.self, forKey: .now)
        hasNow = now != nil
        state = RoutingState(leadsToday: try container.decodeIfPresent([String: Int].self, forKey: .leadsToday) ?? [:],
                             previousAssignments: try container.decodeIfPresent([PreviousAssignment].self, forKey: .previousAssignments) ?? [],
                             now: try now.map { text in
                                 guard let date = Timestamp.parse(text) else {
                                     throw DecodingError.dataCorruptedError(forKey: .now, in: container, debugDescription: "not an RFC 3339 time")
                                 }
                                 return date
                             } ?? Date(timeIntervalSince1970: 0))
    }

    /// The state stored with a lead received at `receivedAt` (its column's RFC 3339 text).
    static func parse(_ text: String, receivedAt: String) throws -> StoredState {
        var stored = try LeadTables.decoder.decode(StoredState.self, from: Data(text.utf8))
        if !stored.hasNow {
            guard let now = Timestamp.parse(receivedAt) else { throw StoreError.conflict("a lead's received_at is not an RFC 3339 time") }
            stored.state.now = now
        }
        return stored
    }
}
