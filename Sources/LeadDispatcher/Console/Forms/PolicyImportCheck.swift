import Foundation
import LeadPolicy
import LeadStore

/// Every problem of a policy document, each with its path (`agents[2].account_id`), before anything
/// is applied: the import form shows them all at once rather than one per attempt. Applying still
/// validates the whole document again inside its transaction.
enum PolicyImportCheck {
    static func problems(_ document: [String: JSONValue], vendorIDs: Set<String>) -> [String] {
        var problems: [String] = []
        for name in document.keys.sorted() where !PolicyDocument.requiredArrays.contains(name) {
            problems.append("\(name): is not part of a policy; use \(PolicyDocument.requiredArrays.joined(separator: ", "))")
        }
        var policy = Policy()
        func read<Entity: PolicyEntity>(_ kind: Entity.Type) -> [Entity] {
            guard let value = document[Entity.collection] else {
                problems.append("\(Entity.collection): is required: the document replaces the whole policy (give [] to remove every one)")
                return []
            }
            guard case .array(let items) = value else {
                problems.append("\(Entity.collection): must be an array")
                return []
            }
            var entities: [Entity] = []
            var seen = Set<String>()
            for (index, item) in items.enumerated() {
                let path = "\(Entity.collection)[\(index)]"
                guard case .object(var fields) = item else {
                    problems.append("\(path): must be an object")
                    continue
                }
                do {
                    _ = try SecretField.take(from: &fields, for: Entity.self, required: false, path: path)
                    let entity = try JSONValue.object(fields).decode(Entity.self)
                    if !seen.insert(entity.id).inserted {
                        problems.append("\(path).id: duplicate \(Entity.kind) id '\(entity.id)'")
                    }
                    entities.append(entity)
                } catch {
                    problems.append(error.prefixed(path).description)
                }
            }
            return entities
        }
        policy = Policy(accounts: read(Account.self), agents: read(Agent.self), pools: read(Pool.self), rules: read(Rule.self))
        let context = ValidationContext(vendorIDs: vendorIDs)
        func check<Entity: PolicyEntity>(_ keyPath: KeyPath<Policy, [Entity]>) {
            for (index, entity) in policy[keyPath: keyPath].enumerated() {
                do {
                    try entity.validate(in: policy, context: context)
                } catch {
                    problems.append(error.prefixed("\(Entity.collection)[\(index)]").description)
                }
            }
        }
        check(\.accounts)
        check(\.agents)
        check(\.pools)
        check(\.rules)
        return problems
    }
}
