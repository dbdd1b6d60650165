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
        var eligible: [EligibleAgent] = []
        let members = policy.poolMembers(of: pool)
        eligible.reserveCapacity(members.count)
        for member in members {
            if let skip = Availability.skip(member, state: state) {
                skipped.append(skip)
            } else {
                eligible.append(EligibleAgent(agentID: member.agentID, weight: member.weight))
            }
        }
        var stickyNote = ""
        if pool.stickyDays > 0, lead.normalizedEmail != nil {
            let since = state.now.addingTimeInterval(-Double(pool.stickyDays) * 86_400)
            let memberIDs = policy.memberIDs(of: pool)
            if let previous = state.previousAssignments.first(where: { memberIDs.contains($0.agentID) && $0.at >= since }) {
                if eligible.contains(where: { $0.agentID == previous.agentID }) {
                    return Selection(agentID: previous.agentID, skipped: skipped, eligible: eligible, sticky: true,
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
        var total = 0
        var best: (agentID: String, current: Int)?
        for member in eligible {
            total += member.weight
            // One hash per member: the position is advanced in place and read back.
            let current = Self.advance(&rotation.current[member.agentID, default: 0], by: member.weight)
            if best == nil || current > best!.current { best = (member.agentID, current) }
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
        let count = eligible.count == 1 ? "the 1 eligible member" : "the \(eligible.count) eligible members"
        return Selection(agentID: chosen, skipped: skipped, eligible: eligible,
                         note: stickyNote + "smooth weighted round robin among \(count) of pool '\(pool.id)' chose agent '\(chosen)'",
                         rotation: rotation)
    }

    private static func advance(_ position: inout Int, by weight: Int) -> Int {
        position += weight
        return position
    }
}
