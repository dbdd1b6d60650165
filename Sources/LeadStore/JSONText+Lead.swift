import LeadPolicy

/// The documents stored with each lead, written by `JSONText` as their `Codable` forms would be.
extension JSONText {
    /// A routing state as a lead stores it. With `rotationSeqs`, each pool's rotation is kept as its
    /// place in the pool's picks (`rotation_seqs`), replayed when read, and `rotations` is empty.
    mutating func state(_ state: RoutingState, rotationSeqs: [String: Int]? = nil) {
        object { members in
            members.key("rotations") { text in
                text.object { pools in
                    for (poolID, rotation) in state.rotations where rotationSeqs == nil {
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
            members.key("leads_today") { text in
                text.object { agents in
                    for (agentID, count) in state.leadsToday { agents.int(escaping: agentID, count) }
                }
            }
            members.key("previous_assignments") { text in
                text.array(state.previousAssignments) { text, previous in
                    text.object { members in
                        members.string("agent_id", previous.agentID)
                        // RFC 3339, as `RoutingState`'s own encoding writes it.
                        members.string("at", Timestamp.string(previous.at))
                    }
                }
            }
            members.string("now", Timestamp.string(state.now))
            if let rotationSeqs {
                members.key("rotation_seqs") { text in
                    text.object { pools in
                        for poolID in state.rotations.keys.sorted() { pools.int(escaping: poolID, rotationSeqs[poolID] ?? 0) }
                    }
                }
            }
        }
    }
}
