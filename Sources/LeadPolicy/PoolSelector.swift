import Foundation

/// Picks a pool member for a lead: the sticky agent when the pool is sticky and that agent can take
/// it, otherwise the next one by smooth weighted round robin among the available members.
enum PoolSelector {
    struct Selection {
        /// The member chosen; nil when nobody was available.
        var target: Target?
        var skipped: [AgentSkip]
        var eligible: EligibleAgents = []
        var sticky = false
        var note: ActionStep.Note
        /// The pool's new rotation, when the round robin advanced.
        var rotation: PoolRotation?
    }

    /// With `advancing`, the pool's rotation is advanced where it lies in `state` (its positions are
    /// not copied while the state holds the only reference to them); otherwise `state` is left as it is.
    static func select(from roster: PoolRoster, lead: Lead, state: inout RoutingState, advancing: Bool) -> Selection {
        let pool = roster.pool
        // Where each eligible member is in the pool: the eligible list and the rotation read the
        // members through these.
        let (eligibleIndices, skipped) = roster.availability(state)
        let members = roster.members
        let eligible = EligibleAgents(members: members, indices: eligibleIndices)
        var unavailableSticky: String?
        if pool.stickyDays > 0, lead.normalizedEmail != nil {
            let since = state.now.addingTimeInterval(-Double(pool.stickyDays) * 86_400)
            if let previous = state.previousAssignments.first(where: { roster.memberSet.contains($0.agentID) && $0.at >= since }) {
                if let index = eligibleIndices.first(where: { members[$0].agentID == previous.agentID }) {
                    return Selection(target: roster.targets[index], skipped: skipped, eligible: eligible, sticky: true,
                                     note: .sticky(agentID: previous.agentID, days: pool.stickyDays),
                                     rotation: nil)
                }
                unavailableSticky = previous.agentID
            }
        }
        guard !eligible.isEmpty else {
            return Selection(target: nil, skipped: skipped,
                             note: .nobodyInPool(unavailableSticky: unavailableSticky, poolID: pool.id),
                             rotation: nil)
        }
        if let recorded = state.recordedPick, let chosen = eligibleIndices.first(where: { members[$0].agentID == recorded }) {
            return Selection(target: roster.targets[chosen], skipped: skipped, eligible: eligible,
                             note: .rotation(unavailableSticky: unavailableSticky, eligible: eligible.count, poolID: pool.id, agentID: recorded),
                             rotation: nil)
        }
        // Laid over the pool's members (at once when the rotation came from the decision before), so
        // each position is read and advanced by index; an agent that left the pool is forgotten.
        func pick(_ rotation: inout PoolRotation) -> (chosen: Int, rotation: PoolRotation) {
            rotation.align(to: roster.memberIDs)
            return (rotation.pick(eligible: eligibleIndices, weights: roster.weights), rotation)
        }
        let (chosen, rotation): (Int, PoolRotation)
        if advancing {
            // Advanced where it lies in the state (one lookup, and no copy of its positions while the
            // state holds the only reference).
            (chosen, rotation) = pick(&state.rotations[pool.id, default: PoolRotation()])
        } else {
            var copy = state.rotations[pool.id] ?? PoolRotation()
            (chosen, rotation) = pick(&copy)
        }
        return Selection(target: roster.targets[chosen], skipped: skipped, eligible: eligible,
                         note: .rotation(unavailableSticky: unavailableSticky, eligible: eligible.count, poolID: pool.id,
                                         agentID: members[chosen].agentID),
                         rotation: rotation)
    }
}

extension RoutingEngine {
    /// The pick a pool's round robin made for a lead decided at `now` under `policy` with today's
    /// counts `leadsToday`, advancing `rotation` exactly as the engine did; nil when nobody was eligible.
    /// A rotation is replayed from a checkpoint this way, pick by pick.
    public static func replayPick(poolID: String, policy: Policy, leadsToday: [String: Int], now: Date, rotation: inout PoolRotation) -> String? {
        guard let roster = policy.roster(poolID) else { return nil }
        let (eligible, _) = roster.availability(RoutingState(leadsToday: leadsToday, now: now))
        guard !eligible.isEmpty else { return nil }
        rotation.align(to: roster.memberIDs)
        return roster.members[rotation.pick(eligible: eligible, weights: roster.weights)].agentID
    }
}
