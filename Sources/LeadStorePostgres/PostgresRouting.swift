import Foundation
import LeadPolicy
import LeadStore
import Logging
import PostgresNIO

/// The routing state — each pool's rotation (`pool_rotation`), today's counts (`agent_daily_count`),
/// earlier assignments (in `lead`) — read and advanced inside the transaction that decides leads.
///
/// Every transaction that decides leads (ingest, a reroute) first takes the routing lock, an advisory
/// lock held to its commit: decisions are made one batch at a time across every instance, each
/// reading the rotations, counts, repeats and dedupe windows the one before committed. That is what
/// makes a rotation exact across instances — the same picks one instance would make in the same
/// order of commits — and it costs what SQLite's single writer costs: one batch decides at a time
/// (each instance's group commit still puts its concurrent leads in one batch).
struct PostgresRouting {
    static let lockKey: Int64 = 0x6c65_6164_726f_7574  // "leadrout"

    let day: String
    private(set) var rotations: [String: PoolRotation] = [:]
    private(set) var leadsToday: [String: Int] = [:]
    /// Pools whose rotation advanced since the last `flush`.
    private var advanced: Set<String> = []
    /// Leads each agent was given since the last `flush`, added to its count for today by `flush`.
    private var counted: [String: Int] = [:]

    /// Takes the routing lock for the rest of the transaction (after the policy lock, before any row).
    static func lock(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
    }

    /// Reads every pool's rotation and the capped agents' counts for today, once for a batch.
    init(_ connection: PostgresConnection, logger: Logger, now: Date, timeZone: TimeZone, policy: Policy) async throws {
        day = RoutingDay.day(now, timeZone: timeZone)
        for row in try await connection.query("SELECT pool_id, positions_json FROM pool_rotation", logger: logger).collect() {
            let (poolID, text) = try row.decode((String, String).self)
            rotations[poolID] = try RotationPositions.rotation(text, poolID: poolID)
        }
        // Only agents with a daily cap: no decision reads another's count.
        let capped = policy.agents.filter { $0.dailyCap != nil }.map(\.id)
        if !capped.isEmpty {
            for row in try await connection.query("""
                SELECT agent_id, count FROM agent_daily_count WHERE day = \(day) AND agent_id = ANY(\(capped))
                """, logger: logger).collect() {
                let (agentID, count) = try row.decode((String, Int).self)
                leadsToday[agentID] = count
            }
        }
    }

    /// The state one lead is decided in.
    func state(for lead: Lead, policy: Policy, now: Date, _ connection: PostgresConnection, logger: Logger) async throws -> RoutingState {
        var previous: [PreviousAssignment] = []
        let stickiest = policy.pools.map(\.stickyDays).max() ?? 0
        if stickiest > 0, let email = lead.normalizedEmail {
            let since = Timestamp.string(now.addingTimeInterval(-Double(stickiest) * 86_400))
            for row in try await connection.query("""
                SELECT target_agent_id, received_at FROM lead
                WHERE email = \(email) AND received_at >= \(since) AND target_agent_id IS NOT NULL
                ORDER BY received_at DESC LIMIT 20
                """, logger: logger).collect() {
                let (agentID, receivedAt) = try row.decode((String, String).self)
                if let at = Timestamp.parse(receivedAt) { previous.append(PreviousAssignment(agentID: agentID, at: at)) }
            }
        }
        return RoutingState(rotations: rotations, leadsToday: leadsToday, previousAssignments: previous, now: now)
    }

    /// Takes what a decision advanced: its pool's rotation and the chosen agent's count for today,
    /// written by `flush` once per batch.
    mutating func apply(_ outcome: RoutingEngine.Outcome) {
        if let pool = outcome.advanced {
            rotations[pool.poolID] = pool.rotation
            advanced.insert(pool.poolID)
        }
        if let agentID = outcome.decision.target?.agentID {
            leadsToday[agentID, default: 0] += 1
            counted[agentID, default: 0] += 1
        }
    }

    /// Writes the rotations and counts advanced since the last flush: one statement for the pools and
    /// one for the agents, whatever their number (a batch into a pool of twenty gave twenty upserts, each
    /// a round trip made while holding the routing lock). Rows are written in a fixed order (by id),
    /// although only transactions holding the routing lock write them. Must run before the transaction
    /// commits.
    mutating func flush(_ connection: PostgresConnection, logger: Logger) async throws {
        let pools = advanced.sorted().compactMap { poolID in rotations[poolID].map { (poolID, RotationPositions.text($0)) } }
        if !pools.isEmpty {
            try await connection.query("""
                INSERT INTO pool_rotation (pool_id, positions_json)
                SELECT * FROM unnest(\(pools.map(\.0))::text[], \(pools.map(\.1))::text[])
                ON CONFLICT (pool_id) DO UPDATE SET positions_json = excluded.positions_json
                """, logger: logger)
        }
        advanced.removeAll()
        let counts = counted.sorted { $0.key < $1.key }
        if !counts.isEmpty {
            try await connection.query("""
                INSERT INTO agent_daily_count (agent_id, day, count)
                SELECT agent_id, \(day), leads FROM unnest(\(counts.map(\.key))::text[], \(counts.map(\.value))::bigint[]) AS given(agent_id, leads)
                ON CONFLICT (agent_id, day) DO UPDATE SET count = agent_daily_count.count + excluded.count
                """, logger: logger)
        }
        counted.removeAll()
    }
}
