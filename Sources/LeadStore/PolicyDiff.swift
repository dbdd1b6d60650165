import Foundation
import LeadPolicy

/// The audit events a policy change produces: one per entity created, updated or deleted, each with
/// the entity before and after as the admin API shows it (secrets masked).
package enum PolicyDiff {
    package static func events(old: StoredPolicy, new: PolicyDraft) -> [NewAuditEvent] {
        var events: [NewAuditEvent] = []
        func diff<Entity: PolicyEntity>(_ keyPath: KeyPath<Policy, [Entity]>) {
            let before = Dictionary(old.policy[keyPath: keyPath].map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let after = new.policy[keyPath: keyPath]
            let afterIDs = Set(after.map(\.id))
            for entity in after {
                let shown = view(entity, masks: new.secretMasks)
                if let previous = before[entity.id] {
                    let rekeyed = entity.secretOwner.map { new.newSecrets[$0] != nil } ?? false
                    guard previous != entity || rekeyed else { continue }
                    events.append(NewAuditEvent(type: "\(Entity.kind).updated", entityKind: Entity.kind, entityID: entity.id,
                                                before: view(previous, masks: old.secretMasks), after: shown))
                } else {
                    events.append(NewAuditEvent(type: "\(Entity.kind).created", entityKind: Entity.kind, entityID: entity.id, after: shown))
                }
            }
            for previous in old.policy[keyPath: keyPath] where !afterIDs.contains(previous.id) {
                events.append(NewAuditEvent(type: "\(Entity.kind).deleted", entityKind: Entity.kind, entityID: previous.id,
                                            before: view(previous, masks: old.secretMasks)))
            }
        }
        diff(\.accounts)
        diff(\.agents)
        diff(\.pools)
        diff(\.rules)
        return events
    }

    package static func view<Entity: PolicyEntity>(_ entity: Entity, masks: [SecretOwner: String]) -> JSONValue {
        entity.adminView(masks: masks)
    }
}

extension PolicyEntity {
    /// The entity as the admin API shows it: its fields plus the mask of its secret, never the secret.
    public func adminView(masks: [SecretOwner: String]) -> JSONValue {
        guard case .object(var fields)? = try? JSONValue(encoding: self) else { return .null }
        if let field = Self.secretField, let owner = secretOwner {
            fields[field] = .string(masks[owner] ?? SecretMask.prefix)
        }
        return .object(fields)
    }
}
