import LeadPolicy

/// The documents stored with each lead, written by `JSONText` as their `Codable` forms would be.
extension JSONText {
    mutating func target(_ target: Target) {
        object { members in
            members.string("kind", target.kind)
            members.stringIfPresent("agent_id", target.agentID)
            members.string("account_id", target.accountID)
        }
    }

    mutating func action(_ action: RuleAction) {
        object { members in
            members.string("type", action.typeName)
            switch action {
            case .agent(let agentID): members.string("agent_id", agentID)
            case .pool(let poolID): members.string("pool_id", poolID)
            case .crmRoundRobin(let accountID): members.string("account_id", accountID)
            }
        }
    }

    /// The decision, reusing from `memo` the parts the last decision written with it had too.
    mutating func decision(_ decision: Decision, memo: inout DecisionTextMemo) {
        object { members in
            members.stringIfPresent("rule_id", decision.ruleID)
            members.stringIfPresent("via", decision.via)
            if let target = decision.target { members.key("target") { $0.target(target) } }
            members.key("explanation") { $0.explanation(decision.explanation, memo: &memo) }
        }
    }

    mutating func explanation(_ explanation: Explanation, memo: inout DecisionTextMemo) {
        object { members in
            members.string("summary", explanation.summary)
            members.key("rules") { text in
                if let last = memo.rules, last.checks.compared(sameAs: explanation.rules) {
                    text.raw(written: last.text)
                    return
                }
                var rules = JSONText(escapesSlashes: text.escapesSlashes, capacity: 128 * explanation.rules.count)
                rules.array(explanation.rules) { text, check in
                    text.object { members in
                        members.string("rule_id", check.ruleID)
                        members.int("priority", check.priority)
                        members.string("result", check.result.rawValue)
                        members.key("reason") { $0.reason(of: check) }
                    }
                }
                memo.rules = (explanation.rules, rules.bytes)
                text.raw(written: rules.bytes)
            }
            members.key("steps") { text in
                text.array(explanation.steps) { $0.step($1, memo: &memo) }
            }
        }
    }

    mutating func step(_ step: ActionStep, memo: inout DecisionTextMemo) {
        object { members in
            members.string("via", step.via)
            members.key("action") { $0.action(step.action) }
            if let target = step.target { members.key("target") { $0.target(target) } }
            members.key("skipped") { text in
                text.array(step.skipped) { text, skip in
                    text.object { members in
                        members.string("agent_id", skip.agentID)
                        members.string("reason", skip.reason.rawValue)
                        members.string("detail", skip.detail)
                    }
                }
            }
            if let eligible = step.eligible {
                members.key("eligible") { text in
                    if let last = memo.eligible, last.agents == eligible {
                        text.raw(written: last.text)
                        return
                    }
                    var list = JSONText(escapesSlashes: text.escapesSlashes, capacity: 40 * eligible.count)
                    list.array(eligible) { text, agent in
                        text.object { members in
                            members.string("agent_id", agent.agentID)
                            members.int("weight", agent.weight)
                        }
                    }
                    memo.eligible = (eligible, list.bytes)
                    text.raw(written: list.bytes)
                }
            }
            if let sticky = step.sticky { members.key("sticky") { $0.bool(sticky) } }
            members.string("note", step.note)
        }
    }

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

/// The parts of stored decisions that repeat from one lead to the next, as last written: leads from
/// one campaign are tried against the rules with the same results, and a pool's eligible members
/// change only when someone is skipped. Writing those once per run of alike leads, instead of once per
/// lead, halves the cost of a stored decision inside the write transaction.
struct DecisionTextMemo {
    fileprivate var rules: (checks: RuleChecks, text: [UInt8])?
    fileprivate var eligible: (agents: EligibleAgents, text: [UInt8])?
}
