import Foundation

/// Picks a pool member for a lead: the sticky agent when the pool is sticky and that agent can take
/// it, otherwise the next one by smooth weighted round robin among the available members.
enum PoolSelector {
    struct Selection {
        var agentID: String?
        var skipped: [AgentSkip]
        var eligible: EligibleAgents = []
        var sticky = false
        var note: String
        /// The pool's new rotation, when the round robin advanced.
        var rotation: PoolRotation?
    }

    static func select(from pool: Pool, lead: Lead, policy: Policy, state: RoutingState) -> Selection {
        var skipped: [AgentSkip] = []
        // Where each eligible member is in the pool: the eligible list and the rotation read the
        // members through these.
        var eligibleIndices: [Int] = []
        let members = policy.poolMembers(of: pool)
        eligibleIndices.reserveCapacity(members.count)
        for index in members.indices {
            if let skip = Availability.skip(members[index], state: state) {
                skipped.append(skip)
            } else {
                eligibleIndices.append(index)
            }
        }
        let eligible = EligibleAgents(members: members, indices: eligibleIndices)
        var stickyNote = ""
        if pool.stickyDays > 0, lead.normalizedEmail != nil {
            let since = state.now.addingTimeInterval(-Double(pool.stickyDays) * 86_400)
            let memberIDs = policy.memberIDs(of: pool)
            if let previous = state.previousAssignments.first(where: { memberIDs.contains($0.agentID) && $0.at >= since }) {
                if eligibleIndices.contains(where: { members[$0].agentID == previous.agentID }) {
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
        // Laid over the pool's members (at once when the rotation came from the decision before), so
        // each position is read and advanced by index; an agent that left the pool is forgotten.
        var rotation = (state.rotations[pool.id] ?? PoolRotation()).aligned(to: policy.memberOrder(of: pool))
        let chosen = members[rotation.pick(eligible: eligibleIndices) { members[$0].weight }].agentID
        // The weights are in `eligible`; the note (and the summary that repeats it) names only how
        // many there were: spelling them out doubled every lead's stored decision.
        let count = eligible.count == 1 ? "the 1 eligible member" : "the \(eligible.count) eligible members"
        return Selection(agentID: chosen, skipped: skipped, eligible: eligible,
                         note: stickyNote + "smooth weighted round robin among \(count) of pool '\(pool.id)' chose agent '\(chosen)'",
                         rotation: rotation)
    }
}
