import Foundation

/// Replays recorded leads through a draft policy, in the order they arrived, from a fresh rotation,
/// and compares where they went with where the draft would send them. Changes nothing anywhere.
public enum Backtest {
    public struct Replayed: Sendable {
        public var id: String
        public var receivedAt: Date
        public var lead: Lead
        public var recorded: Target?

        public init(id: String, receivedAt: Date, lead: Lead, recorded: Target?) {
            self.id = id
            self.receivedAt = receivedAt
            self.lead = lead
            self.recorded = recorded
        }
    }

    public struct Count: Sendable, Equatable {
        /// nil counts unrouted leads.
        public var target: Target?
        public var recorded: Int
        public var draft: Int

        public init(target: Target?, recorded: Int, draft: Int) {
            self.target = target
            self.recorded = recorded
            self.draft = draft
        }
    }

    public struct Change: Sendable, Equatable {
        public var leadID: String
        public var recorded: Target?
        public var draft: Target?

        public init(leadID: String, recorded: Target?, draft: Target?) {
            self.leadID = leadID
            self.recorded = recorded
            self.draft = draft
        }
    }

    public struct Result: Sendable, Equatable {
        public var leads: Int
        public var counts: [Count]
        /// The first `sampleLimit` leads whose target would change.
        public var changed: [Change]
        public var changedTotal: Int
    }

    public static func run(_ leads: [Replayed], draft: Policy, timeZone: TimeZone, sampleLimit: Int = 100) -> Result {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var state = RoutingState()
        var day: DateComponents?
        var history: [String: [PreviousAssignment]] = [:]
        var recordedCounts: [Target?: Int] = [:]
        var draftCounts: [Target?: Int] = [:]
        var changed: [Change] = []
        var changedTotal = 0
        for replayed in leads {
            let today = calendar.dateComponents([.year, .month, .day], from: replayed.receivedAt)
            if today != day {
                day = today
                state.leadsToday = [:]
            }
            state.now = replayed.receivedAt
            state.previousAssignments = replayed.lead.normalizedEmail.flatMap { history[$0] } ?? []
            let outcome = RoutingEngine.decide(replayed.lead, policy: draft, advancing: &state)
            let target = outcome.decision.target
            if let agentID = target?.agentID {
                state.leadsToday[agentID, default: 0] += 1
                if let email = replayed.lead.normalizedEmail {
                    history[email, default: []].insert(PreviousAssignment(agentID: agentID, at: replayed.receivedAt), at: 0)
                }
            }
            recordedCounts[replayed.recorded, default: 0] += 1
            draftCounts[target, default: 0] += 1
            if target != replayed.recorded {
                changedTotal += 1
                if changed.count < sampleLimit {
                    changed.append(Change(leadID: replayed.id, recorded: replayed.recorded, draft: target))
                }
            }
        }
        let targets = Set(recordedCounts.keys).union(draftCounts.keys)
        let counts = targets.map { Count(target: $0, recorded: recordedCounts[$0] ?? 0, draft: draftCounts[$0] ?? 0) }
            .sorted { (describe($0.target)) < (describe($1.target)) }
        return Result(leads: leads.count, counts: counts, changed: changed, changedTotal: changedTotal)
    }

    private static func describe(_ target: Target?) -> String {
        switch target {
        case .agent(let agentID, _)?: "0 \(agentID)"
        case .admin(let accountID)?: "1 \(accountID)"
        case nil: "2"
        }
    }
}
