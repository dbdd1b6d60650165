import Foundation
import LeadPolicy
import LeadStore

/// Moving a rule one place up or down the order rules are tried in, as one policy change.
enum RuleOrder {
    static func move(_ id: String, up: Bool, in repository: any PolicyRepository, actor: AuditActor) async throws {
        try await repository.modifyPolicy(actor: actor) { draft in
            var order = draft.policy.rulesInPriorityOrder.map(\.id)
            guard let from = order.firstIndex(of: id) else { throw PolicyError(.notFound, field: "", "no rule '\(id)'") }
            let to = up ? from - 1 : from + 1
            guard order.indices.contains(to) else { return }
            order.swapAt(from, to)
            func set(_ ruleID: String, _ priority: Int) {
                if let index = draft.policy.rules.firstIndex(where: { $0.id == ruleID }) { draft.policy.rules[index].priority = priority }
            }
            // Trading the two priorities moves just these two rules, unless ties with their neighbours
            // (broken by id) keep the order: then every rule is numbered afresh, 10 apart.
            let mine = draft.policy.rule(order[to])!.priority, theirs = draft.policy.rule(order[from])!.priority
            set(order[to], theirs)
            set(order[from], mine)
            if draft.policy.rulesInPriorityOrder.map(\.id) != order {
                for (position, ruleID) in order.enumerated() { set(ruleID, (position + 1) * 10) }
            }
        }
    }
}
