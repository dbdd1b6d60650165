import Foundation
import LeadPolicy

/// The policy as a change sees it inside the store's write transaction: the current entities, the
/// masks of the secrets stored for them, and the new secrets the change brings.
public struct PolicyDraft: Sendable {
    public var policy: Policy
    /// Masks (`••••1234`) of the stored secrets, by owner.
    public private(set) var secretMasks: [SecretOwner: String]
    /// Secrets given by this change, by owner; written sealed when the change commits.
    public private(set) var newSecrets: [SecretOwner: String] = [:]
    /// Vendors that rules may name.
    public let vendorIDs: Set<String>

    public init(policy: Policy, secretMasks: [SecretOwner: String], vendorIDs: Set<String>) {
        self.policy = policy
        self.secretMasks = secretMasks
        self.vendorIDs = vendorIDs
    }

    public var validationContext: ValidationContext { ValidationContext(vendorIDs: vendorIDs) }

    public mutating func setSecret(_ secret: String, for owner: SecretOwner) {
        newSecrets[owner] = secret
        secretMasks[owner] = SecretMask.mask(secret)
    }

    public func hasSecret(for owner: SecretOwner) -> Bool {
        secretMasks[owner] != nil
    }

    /// Every account and agent must have its CRM key, stored or given now.
    public func requireSecrets() throws(PolicyError) {
        func check<Entity: PolicyEntity>(_ entities: [Entity]) throws(PolicyError) {
            for (index, entity) in entities.enumerated() {
                guard let owner = entity.secretOwner, let field = Entity.secretField else { continue }
                if !hasSecret(for: owner) {
                    throw .invalid("\(Entity.collection)[\(index)].\(field)", "is required for a new \(Entity.kind)")
                }
            }
        }
        try check(policy.accounts)
        try check(policy.agents)
    }

    /// Puts `policy` in force with the keys a version had (`kept`, sealed): each one opened and given
    /// again, but for a key already in force (`current`), which needs no re-seal and makes no event.
    public mutating func restore(_ policy: Policy, keptKeys kept: [SecretOwner: Data], currentKeys current: [SecretOwner: Data],
                                 box: SecretBox) throws {
        self.policy = policy
        for owner in policy.accounts.compactMap(\.secretOwner) + policy.agents.compactMap(\.secretOwner) {
            guard let sealed = kept[owner] else { continue }
            let secret = try box.open(sealed, owner: owner)
            if let stored = current[owner], (try? box.open(stored, owner: owner)) == secret { continue }
            setSecret(secret, for: owner)
        }
    }

    /// Every id of every kind, so generated ids never collide.
    public func ids<Entity: PolicyEntity>(of kind: Entity.Type) -> Set<String> {
        Set(policy[keyPath: Entity.keyPath].map(\.id))
    }
}

extension PolicyEntity {
    /// The owner of this entity's secret, when its kind has one.
    public var secretOwner: SecretOwner? {
        Self.secretField == nil ? nil : SecretOwner(kind: Self.kind, id: id)
    }
}
