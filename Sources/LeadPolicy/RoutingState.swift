import Foundation

/// A pool's smooth weighted round-robin state: each member's current weight.
///
/// Each pick adds every eligible member's weight to its current weight, chooses the highest (the
/// earlier member on a tie) and subtracts the eligible total from the chosen one. With equal weights
/// this is exactly Buying Buddy's rotation: every member once per round, in member order. A skipped
/// member's current weight does not grow, so an agent back from a pause gets no burst of leads.
///
/// The positions are kept in two arrays, agent ids and at the same index each one's current weight.
/// A rotation the engine advanced is laid over the pool's members in member order, sharing the
/// policy's own array of their ids, so the next pick reads and advances every position by index:
/// hashing each member's id was most of what a decision cost in a pool of a thousand agents.
public struct PoolRotation: Sendable {
    /// The agents with a place here (for a rotation the engine made: the pool's members, in order).
    public private(set) var agentIDs: [String]
    /// At the same index as `agentIDs`: the agent's current weight, or `unset` for a member never
    /// eligible yet (it starts from zero). Plain integers rather than optionals: the pick's pass over
    /// a thousand members spent a fifth of its time writing optionals' tags.
    private(set) var positions: [Int]
    /// No current weight yet. A real one lies within a pool's total weight either side of zero.
    static let unset = Int.min
    /// True when no position is `unset`: once every member has been eligible, which is how a pool
    /// usually runs, the pick adds without checking each position first.
    private var allSet: Bool

    public init(current: [String: Int] = [:]) {
        // A dictionary's keys and values come in the same order.
        self.init(agentIDs: Array(current.keys), positions: Array(current.values))
    }

    init(agentIDs: [String], positions: [Int]) {
        self.agentIDs = agentIDs
        self.positions = positions
        allSet = !positions.contains(Self.unset)
    }

    /// Each agent's current weight, by agent id (members never eligible have none).
    public var current: [String: Int] {
        var current: [String: Int] = [:]
        current.reserveCapacity(agentIDs.count)
        forEachEntry { current[$0] = $1 }
        return current
    }

    /// Calls `body` with each agent that has a current weight, in `agentIDs` order.
    public func forEachEntry(_ body: (_ agentID: String, _ current: Int) throws -> Void) rethrows {
        for index in agentIDs.indices {
            if positions[index] != Self.unset { try body(agentIDs[index], positions[index]) }
        }
    }

    /// Lays this rotation over `memberIDs`, a pool's members in order. Already laid over them (the same
    /// ids, which the array comparison sees at once when they share storage), it stays as it is;
    /// otherwise each member takes its entry by id, and agents that are no longer members are
    /// forgotten, so one that returns starts afresh.
    mutating func align(to memberIDs: [String]) {
        if agentIDs == memberIDs { return }
        let current = self.current
        self = PoolRotation(agentIDs: memberIDs, positions: memberIDs.map { current[$0] ?? Self.unset })
    }

    /// Advances the positions at `eligible` (indices into `agentIDs`, ascending) by their weights and
    /// picks the highest, the earlier on a tie; the pick gives back the eligible total. Returns the
    /// index picked. `weights` are the members' weights at the same indices as `agentIDs`. `eligible`
    /// is not empty (a pool with nobody available has no pick).
    mutating func pick(eligible: [Int], weights: [Int]) -> Int {
        precondition(!eligible.isEmpty, "a pick needs an eligible member")
        precondition(weights.count == positions.count, "one weight per member")
        // Wrapping arithmetic: weights are at most 1,000 and positions stay within the eligible total
        // either side of zero, so nothing overflows; the checks cost a branch per member.
        var total = 0
        var best = eligible[0]
        var bestPosition = Int.min
        positions.withUnsafeMutableBufferPointer { positions in
            weights.withUnsafeBufferPointer { weights in
                func advance(_ index: Int) {
                    let memberWeight = weights[index]
                    total &+= memberWeight
                    let before = positions[index]
                    let position = (before == Self.unset ? 0 : before) &+ memberWeight
                    positions[index] = position
                    if position > bestPosition {
                        best = index
                        bestPosition = position
                    }
                }
                if eligible.count == positions.count, allSet {
                    // Everybody is eligible and has a position (the usual case): the indices are
                    // 0..<count, and no position needs checking for `unset`.
                    for index in 0..<positions.count {
                        let memberWeight = weights[index]
                        total &+= memberWeight
                        let position = positions[index] &+ memberWeight
                        positions[index] = position
                        if position > bestPosition {
                            best = index
                            bestPosition = position
                        }
                    }
                } else if eligible.count == positions.count {
                    for index in 0..<positions.count { advance(index) }
                } else {
                    for index in eligible { advance(index) }
                }
            }
            positions[best] = bestPosition &- total
        }
        // Everybody eligible now has a position; with everybody eligible, nobody is left unset.
        if eligible.count == positions.count { allSet = true }
        return best
    }
}

extension PoolRotation: Equatable {
    /// Equal when every agent has the same current weight, whatever the order they are kept in.
    public static func == (lhs: PoolRotation, rhs: PoolRotation) -> Bool {
        if lhs.agentIDs == rhs.agentIDs { return lhs.positions == rhs.positions }
        return lhs.current == rhs.current
    }
}

extension PoolRotation: Codable {
    enum CodingKeys: String, CodingKey {
        case current
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(current: try container.decode([String: Int].self, forKey: .current))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(current, forKey: .current)
    }
}

/// A lead of the same email that went to an agent before, for sticky pools.
public struct PreviousAssignment: Sendable, Equatable {
    public var agentID: String
    public var at: Date

    public init(agentID: String, at: Date) {
        self.agentID = agentID
        self.at = at
    }
}

/// Everything the engine reads besides the lead and the policy. The store assembles it inside the
/// write transaction, so every decision sees the effect of the one before.
public struct RoutingState: Sendable, Equatable {
    /// By pool id; a pool without an entry starts from zero.
    public var rotations: [String: PoolRotation]
    /// Leads each agent has received today (in the configured time zone), by agent id.
    public var leadsToday: [String: Int]
    /// This lead's email's earlier assignments to agents, newest first.
    public var previousAssignments: [PreviousAssignment]
    public var now: Date
    /// Deciding a stored lead again: the agent its pool's round robin chose then. A pool with
    /// someone eligible takes this pick instead of advancing a rotation, so the decision — and its
    /// explanation, word for word — comes back without the rotation's positions. Never stored.
    public var recordedPick: String?

    public init(rotations: [String: PoolRotation] = [:], leadsToday: [String: Int] = [:],
                previousAssignments: [PreviousAssignment] = [], now: Date = Date(), recordedPick: String? = nil) {
        self.rotations = rotations
        self.leadsToday = leadsToday
        self.previousAssignments = previousAssignments
        self.now = now
        self.recordedPick = recordedPick
    }
}

extension PreviousAssignment: Codable {
    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case at
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(agentID: try container.decode(String.self, forKey: .agentID), at: try container.decodeStateTime(forKey: .at))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agentID, forKey: .agentID)
        try container.encode(StateTime.string(at), forKey: .at)
    }
}

extension RoutingState: Codable {
    enum CodingKeys: String, CodingKey {
        case rotations
        case leadsToday = "leads_today"
        case previousAssignments = "previous_assignments"
        case now
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rotations: try container.decode([String: PoolRotation].self, forKey: .rotations),
                  leadsToday: try container.decode([String: Int].self, forKey: .leadsToday),
                  previousAssignments: try container.decode([PreviousAssignment].self, forKey: .previousAssignments),
                  now: try container.decodeStateTime(forKey: .now))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rotations, forKey: .rotations)
        try container.encode(leadsToday, forKey: .leadsToday)
        try container.encode(previousAssignments, forKey: .previousAssignments)
        try container.encode(StateTime.string(now), forKey: .now)
    }
}

/// Times in a stored state: RFC 3339 in UTC with milliseconds, as every other time the API shows.
/// States stored before that hold seconds since 2001 (Foundation's default for `Date`), still read.
enum StateTime {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    static func string(_ date: Date) -> String {
        date.formatted(style)
    }

    static func date(_ text: String) -> Date? {
        (try? style.parse(text)) ?? (try? Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).parse(text))
    }
}

extension KeyedDecodingContainer {
    func decodeStateTime(forKey key: Key) throws -> Date {
        if let seconds = try? decode(Double.self, forKey: key) {
            return Date(timeIntervalSinceReferenceDate: seconds)
        }
        let text = try decode(String.self, forKey: key)
        guard let date = StateTime.date(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(text)' is not an RFC 3339 time")
        }
        return date
    }
}

extension RoutingState {
    /// Only what this decision read: the rotations of the pools its steps used, the earlier assignments
    /// to the agents they considered, and the counts of those agents that have a daily cap (an agent
    /// without one is available whatever its count, so the engine never reads it: a pool of a hundred
    /// uncapped agents stored a hundred counts with every lead). Deciding the same lead again in this
    /// smaller state gives the same decision.
    public func restricted(to decision: Decision, policy: Policy) -> RoutingState {
        var pools = Set<String>()
        var agents = Set<String>()
        // Counts are looked up for the capped agents considered, not filtered out of every count of
        // the day: in a pool of a thousand that pass over the day's counts cost more than the decision.
        var counts: [String: Int] = [:]
        for step in decision.explanation.steps {
            switch step.action {
            case .pool(let poolID):
                pools.insert(poolID)
                // The policy's own member set: building one per lead cost as much as the decision.
                if let roster = policy.roster(poolID) {
                    agents = agents.isEmpty ? roster.memberSet : agents.union(roster.memberSet)
                    for agentID in roster.cappedMemberIDs { if let count = leadsToday[agentID] { counts[agentID] = count } }
                }
            case .agent(let agentID):
                agents.insert(agentID)
                if policy.agent(agentID)?.dailyCap != nil, let count = leadsToday[agentID] { counts[agentID] = count }
            case .crmRoundRobin:
                break
            }
        }
        return RoutingState(rotations: rotations.filter { pools.contains($0.key) },
                            leadsToday: counts,
                            previousAssignments: previousAssignments.isEmpty ? [] : previousAssignments.filter { agents.contains($0.agentID) },
                            now: now)
    }
}
