import Foundation

/// A pool as its decisions read it, built once per policy: the members in order with their weights
/// and targets, and who of them can take a lead whatever the day brings. Only members with a daily
/// cap, a schedule or time away are looked at per decision; with none at their cap, the eligible list and the skips are the
/// roster's own arrays, so a pool of a thousand agents costs no pass over its members before the
/// rotation's own.
final class PoolRoster: Sendable {
    let pool: Pool
    let members: [PoolMember]
    /// The members' ids in member order: the array every rotation of the pool is laid over.
    let memberIDs: [String]
    let memberSet: Set<String>
    /// At the same index as `members`: the member's weight in the pool (contiguous, for the rotation).
    let weights: [Int]
    /// At the same index as `members`: where a lead for the member goes; nil for an unknown agent.
    let targets: [Target?]
    /// Known, active members, ascending: everybody eligible while nobody is at a cap.
    let available: [Int]
    /// Members that are never eligible under this policy (unknown or inactive), in member order.
    let alwaysSkipped: [(index: Int, skip: AgentSkip)]
    /// Just the skips of `alwaysSkipped`, for a decision where nobody else is skipped.
    let alwaysSkippedList: [AgentSkip]
    /// Available members with a daily cap, a schedule or time away, ascending: the only ones today's
    /// counts or the decision's time can rule out.
    let changing: [Int]
    /// Every member whose agent has a daily cap (available or not), in member order: whose counts a
    /// decision's stored state keeps.
    let cappedMemberIDs: [String]

    init(_ pool: Pool, agents: [String: Agent], accounts: [String: Account]) {
        self.pool = pool
        members = pool.members.map { member in
            let agent = agents[member.agentID]
            return PoolMember(member, agent: agent, account: agent.flatMap { accounts[$0.accountID] })
        }
        memberIDs = members.map(\.agentID)
        memberSet = Set(memberIDs)
        cappedMemberIDs = members.filter { $0.dailyCap != nil }.map(\.agentID)
        weights = members.map(\.weight)
        targets = pool.members.map { member in
            agents[member.agentID].map { Target.agent(agentID: member.agentID, accountID: $0.accountID) }
        }
        var available: [Int] = []
        var skipped: [(index: Int, skip: AgentSkip)] = []
        var changing: [Int] = []
        for (index, member) in members.enumerated() {
            if let skip = Availability.alwaysSkip(member) {
                skipped.append((index, skip))
            } else {
                available.append(index)
                if member.changesDuringTheDay { changing.append(index) }
            }
        }
        self.available = available
        alwaysSkipped = skipped
        alwaysSkippedList = skipped.map(\.skip)
        self.changing = changing
    }

    /// Who can take a lead now: the eligible members (ascending indices) and the members passed over
    /// with why, in member order — what checking every member in turn would give.
    func availability(_ state: RoutingState) -> (eligible: [Int], skipped: [AgentSkip]) {
        var atCap: [(index: Int, skip: AgentSkip)] = []
        for index in changing {
            if let skip = Availability.changingSkip(members[index], state: state) { atCap.append((index, skip)) }
        }
        guard !atCap.isEmpty else { return (available, alwaysSkippedList) }
        var eligible: [Int] = []
        eligible.reserveCapacity(available.count - atCap.count)
        var nextCap = 0
        for index in available {
            if nextCap < atCap.count, atCap[nextCap].index == index {
                nextCap += 1
            } else {
                eligible.append(index)
            }
        }
        // Both lists are in member order; merged, they are the skips in member order.
        var skipped: [AgentSkip] = []
        skipped.reserveCapacity(alwaysSkipped.count + atCap.count)
        var always = 0, cap = 0
        while always < alwaysSkipped.count || cap < atCap.count {
            if cap == atCap.count || (always < alwaysSkipped.count && alwaysSkipped[always].index < atCap[cap].index) {
                skipped.append(alwaysSkipped[always].skip)
                always += 1
            } else {
                skipped.append(atCap[cap].skip)
                cap += 1
            }
        }
        return (eligible, skipped)
    }
}
