import Foundation

/// Picks a pool member for a lead: the sticky agent when the pool is sticky and that agent can take
/// it, otherwise the next one by smooth weighted round robin among the available members.
enum PoolSelector {
    struct Selection {
        var agentID: String?
        var skipped: [AgentSkip]
        var eligible: [EligibleAgent] = []
        var sticky = false
        var note: String
        /// The pool's new rotation, when the round robin advanced.
        var rotation: PoolRotation?
    }

    static func select(from pool: Pool, lead: Lead, policy: Policy, state: RoutingState) -> Selection {
        var skipped: [AgentSkip] = []
        var eligible: [(agentID: String, weight: Int)] = []
        eligible.reserveCapacity(pool.members.count)
        for member in pool.members {
            // One lookup per member: with large pools, hashing agent ids is most of a decision's cost.
            let agent = policy.agent(member.agentID)
            if let skip = Availability.skip(member.agentID, agent: agent, state: state) {
                skipped.append(skip)
            } else {
                eligible.append((member.agentID, member.weight ?? agent?.weight ?? 1))
            }
        }
        var stickyNote = ""
        if pool.stickyDays > 0, lead.normalizedEmail != nil {
            let since = state.now.addingTimeInterval(-Double(pool.stickyDays) * 86_400)
            let members = policy.memberIDs(of: pool)
            if let previous = state.previousAssignments.first(where: { members.contains($0.agentID) && $0.at >= since }) {
                if eligible.contains(where: { $0.agentID == previous.agentID }) {
                    return Selection(agentID: previous.agentID, skipped: skipped,
                                     eligible: eligible.map { EligibleAgent(agentID: $0.agentID, weight: $0.weight) }, sticky: true,
                                     note: "sticky: the same email went to agent '\(previous.agentID)' within \(pool.stickyDays) days",
                                     rotation: nil)
                }
                stickyNote = "sticky agent '\(previous.agentID)' is not available; "
            }
        }
        guard !eligible.isEmpty else {
            return Selection(agentID: nil, skipped: skipped, note: stickyNote + "no member of pool '\(pool.id)' is available", rotation: nil)
        }
        var rotation = state.rotations[pool.id] ?? PoolRotation()
        let total = eligible.reduce(0) { $0 + $1.weight }
        var best: (agentID: String, current: Int)?
        for (agentID, weight) in eligible {
            let current = rotation.current[agentID, default: 0] + weight
            rotation.current[agentID] = current
            if best == nil || current > best!.current { best = (agentID, current) }
        }
        // Every eligible member now has a position; any entry beyond theirs and the skipped members'
        // belongs to an agent that left the pool. Counting finds that without hashing every key again.
        var memberEntries = eligible.count
        for skip in skipped where rotation.current[skip.agentID] != nil { memberEntries += 1 }
        if rotation.current.count > memberEntries {
            // Forget members that left the pool, so a returning one starts afresh.
            let memberIDs = policy.memberIDs(of: pool)
            rotation.current = rotation.current.filter { memberIDs.contains($0.key) }
        }
        let chosen = best!.agentID
        rotation.current[chosen, default: 0] -= total
        // The weights are in `eligible`; the note (and the summary that repeats it) names only how
        // many there were: spelling them out doubled every lead's stored decision.
        let members = eligible.count == 1 ? "the 1 eligible member" : "the \(eligible.count) eligible members"
        return Selection(agentID: chosen, skipped: skipped,
                         eligible: eligible.map { EligibleAgent(agentID: $0.agentID, weight: $0.weight) },
                         note: stickyNote + "smooth weighted round robin among \(members) of pool '\(pool.id)' chose agent '\(chosen)'",
                         rotation: rotation)
    }
}
