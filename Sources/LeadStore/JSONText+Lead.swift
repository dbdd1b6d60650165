import LeadPolicy

/// The documents stored with each lead, written by `JSONText` as their `Codable` forms would be.
extension JSONText {
    /// A routing state as a lead stores it. With `rotationSeqs`, each pool's rotation is kept as its
    /// place in the pool's picks (`rotation_seqs`), replayed when read, and `rotations` is empty.
    /// A routing state in full, as `RoutingState`'s `Codable` form writes it (how leads stored it before
    /// rotations were replayed; `StoredState` still reads it).
    package mutating func state(_ state: RoutingState) {
        object { members in
            members.key("rotations") { text in
                text.object { pools in
                    for (poolID, rotation) in state.rotations {
                        pools.key(escaping: poolID) { text in
                            text.object { members in
                                members.key("current") { text in
                                    text.object { agents in
                                        rotation.forEachEntry { agents.int(escaping: $0, $1) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            members.key("leads_today") { text in Self.leadsToday(state, into: &text) }
            members.key("previous_assignments") { text in Self.previousAssignments(state, into: &text) }
            members.string("now", Timestamp.string(state.now))
        }
    }

    /// A routing state as a lead stores it: each pool's rotation kept as its place in the pool's picks
    /// (`rotation_seqs`, replayed when read), the daily counts and earlier assignments only when there
    /// are any, and the decision time only when it is not the lead's `receivedAt` (see `StoredState`).
    package mutating func leanState(_ state: RoutingState, rotationSeqs: [String: Int], receivedAt: String?) {
        object { members in
            if !state.leadsToday.isEmpty {
                members.key("leads_today") { text in Self.leadsToday(state, into: &text) }
            }
            if !state.previousAssignments.isEmpty {
                members.key("previous_assignments") { text in Self.previousAssignments(state, into: &text) }
            }
            let now = Timestamp.string(state.now)
            if now != receivedAt { members.string("now", now) }
            members.key("rotation_seqs") { text in
                text.object { pools in
                    for poolID in state.rotations.keys.sorted() { pools.int(escaping: poolID, rotationSeqs[poolID] ?? 0) }
                }
            }
        }
    }

    private static func leadsToday(_ state: RoutingState, into text: inout JSONText) {
        text.object { agents in
            for (agentID, count) in state.leadsToday { agents.int(escaping: agentID, count) }
        }
    }

    private static func previousAssignments(_ state: RoutingState, into text: inout JSONText) {
        text.array(state.previousAssignments) { text, previous in
            text.object { members in
                members.string("agent_id", previous.agentID)
                // RFC 3339, as `RoutingState`'s own encoding writes it.
                members.string("at", Timestamp.string(previous.at))
            }
        }
    }
}
