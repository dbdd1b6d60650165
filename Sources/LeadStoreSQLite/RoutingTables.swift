import Foundation
import GRDB
import LeadStore
import LeadPolicy
import Synchronization

/// The routing state — each pool's rotation (kept in `RoutingStateCache`, replayed from `rotation_checkpoint`
/// when not), today's counts (`agent_daily_count`), earlier assignments (in `lead`) — read and advanced
/// inside the write transaction that commits a batch of leads.
struct RoutingTables {
    let day: String
    var rotations: [String: PoolRotation]
    var leadsToday: [String: Int]
    /// Each pool's count of picks: the place in its rotation a lead reads, and the one its pick makes.
    private(set) var picks: [String: Int] = [:]
    /// Each pool's pick of its last checkpoint.
    private var checkpointed: [String: Int] = [:]
    /// A checkpoint every this many picks: replaying a lead's rotation reads at most this many leads.
    static let checkpointEvery = 128
    /// Pools whose rotation could not be replayed: checkpointed at the next flush that advances them.
    private var mustCheckpoint: Set<String> = []
    /// Pools whose rotation advanced since the last `flush`.
    private var advanced: Set<String> = []
    /// Leads each agent was given since the last `flush`, added to its count for today by `flush`.
    private var counted: [String: Int] = [:]

    /// Reads the rotation of every pool and today's counts once for the whole batch: each rotation from
    /// `cache` when it holds the pool's current pick, else replayed from the pool's checkpoint.
    init(_ db: Database, now: Date, timeZone: TimeZone, policy: Policy, cache: RoutingStateCache, policies: PolicyVersionCache) throws {
        day = Self.day(now, timeZone: timeZone)
        rotations = [:]
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT pool_id, seq, checkpointed FROM pool_sequence")) {
            let poolID: String = row["pool_id"]
            let seq: Int = row["seq"]
            picks[poolID] = seq
            checkpointed[poolID] = row["checkpointed"]
            // The first decision of the batch lays each rotation over its pool's members; the rest of the
            // batch advances that.
            do {
                rotations[poolID] = try cache.rotation(poolID, seq: seq) ?? RotationReplay.rotation(poolID, after: seq, policies: policies, in: db)
            } catch {
                // A pick that cannot be replayed (a row edited or removed by hand: no writer leaves one)
                // must not stop ingest: the pool goes on from its last checkpoint, and this batch keeps
                // a checkpoint of where it leaves it, from which later replays start.
                rotations[poolID] = try RotationReplay.checkpoint(poolID, atOrBefore: seq, in: db).rotation
                mustCheckpoint.insert(poolID)
            }
        }
        // Only agents with a daily cap: no decision reads another's count (an agent without a cap is
        // available whatever its count), and a pool of a thousand read a thousand rows per batch.
        leadsToday = [:]
        let capped = policy.agents.filter { $0.dailyCap != nil }.map(\.id)
        if capped.count > 32 {
            for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT agent_id, count FROM agent_daily_count WHERE day = ?"), arguments: [day]) {
                leadsToday[row["agent_id"]] = row["count"]
            }
        } else {
            let statement = try db.cachedStatement(sql: "SELECT count FROM agent_daily_count WHERE agent_id = ? AND day = ?")
            for agentID in capped {
                if let count = try Int.fetchOne(statement, arguments: [agentID, day]) { leadsToday[agentID] = count }
            }
        }
    }

    /// The state one lead is decided in.
    func state(for lead: Lead, policy: Policy, now: Date, in db: Database) throws -> RoutingState {
        var previous: [PreviousAssignment] = []
        let stickiest = policy.pools.map(\.stickyDays).max() ?? 0
        if stickiest > 0, let email = lead.normalizedEmail {
            let since = Timestamp.string(now.addingTimeInterval(-Double(stickiest) * 86_400))
            previous = try Row.fetchAll(
                db,
                sql: """
                    SELECT target_agent_id, received_at FROM lead
                    WHERE email = ? AND received_at >= ? AND target_agent_id IS NOT NULL
                    ORDER BY received_at DESC LIMIT 20
                    """,
                arguments: [email, since]
            ).compactMap { row in
                Timestamp.parse(row["received_at"]).map { PreviousAssignment(agentID: row["target_agent_id"], at: $0) }
            }
        }
        return RoutingState(rotations: rotations, leadsToday: leadsToday, previousAssignments: previous, now: now)
    }

    /// Takes what a decision advanced: the pools' rotations (since every pick moves every member's
    /// position) and the chosen agent's count for today. Both are kept here and written by `flush`:
    /// once per batch, not once per lead.
    /// Returns the pick the decision made, if it advanced a rotation: its pool and its place there.
    @discardableResult
    mutating func apply(_ outcome: RoutingEngine.Outcome) -> (poolID: String, seq: Int)? {
        var pick: (poolID: String, seq: Int)?
        if let pool = outcome.advanced {
            rotations[pool.poolID] = pool.rotation
            advanced.insert(pool.poolID)
            let seq = (picks[pool.poolID] ?? 0) + 1
            picks[pool.poolID] = seq
            pick = (pool.poolID, seq)
        }
        if let agentID = outcome.decision.target?.agentID {
            leadsToday[agentID, default: 0] += 1
            counted[agentID, default: 0] += 1
        }
        return pick
    }

    /// Writes the rotations and today's counts advanced since the last flush. Must run before the
    /// transaction commits.
    mutating func flush(in db: Database) throws {
        let count = try db.cachedStatement(sql: """
            INSERT INTO agent_daily_count (agent_id, day, count) VALUES (?, ?, ?)
            ON CONFLICT (agent_id, day) DO UPDATE SET count = count + excluded.count
            """)
        for (agentID, leads) in counted.sorted(by: { $0.key < $1.key }) {
            try count.execute(arguments: [agentID, day, leads])
        }
        counted.removeAll()
        for poolID in advanced.sorted() {
            let seq = picks[poolID] ?? 0
            var last = checkpointed[poolID] ?? 0
            // The positions after this batch's last pick, kept when enough picks have passed since the
            // last checkpoint (and for a pool's first picks, which have none to start from).
            if seq - last >= Self.checkpointEvery || checkpointed[poolID] == nil || mustCheckpoint.contains(poolID),
               let rotation = rotations[poolID] {
                try RotationReplay.checkpoint(poolID, seq: seq, rotation: rotation, in: db)
                last = seq
                checkpointed[poolID] = seq
            }
            try db.executeCached(sql: """
                INSERT INTO pool_sequence (pool_id, seq, checkpointed) VALUES (?, ?, ?)
                ON CONFLICT (pool_id) DO UPDATE SET seq = excluded.seq, checkpointed = excluded.checkpointed
                """, arguments: [poolID, seq, last])
        }
        flushed.merge(advanced.compactMap { poolID in rotations[poolID].map { (poolID, (seq: picks[poolID] ?? 0, rotation: $0)) } }) { _, new in new }
        advanced.removeAll()
    }

    /// What the flushes of this transaction advanced, for `RoutingStateCache` once it commits.
    private(set) var flushed: [String: (seq: Int, rotation: PoolRotation)] = [:]

    /// The calendar day of `date` in `timeZone`, as `agent_daily_count` keys it (`2026-12-01`).
    static func day(_ date: Date, timeZone: TimeZone) -> String {
        RoutingDay.day(date, timeZone: timeZone)
    }
}
