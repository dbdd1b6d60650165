import LeadPolicy

extension StoredPolicy {
    /// What in this policy cannot work as written: rules that can find nobody, and keys that are still
    /// the example's placeholders (`key(owner)` opens a stored key, nil when it cannot).
    public func warnings(key: (SecretOwner) -> String?) -> [String] {
        var warnings = PolicyWarnings.unreachableRules(in: policy)
        func placeholders<Entity: PolicyEntity>(_ entities: [Entity]) {
            for (index, entity) in entities.enumerated() {
                guard let owner = entity.secretOwner, let field = Entity.secretField, let key = key(owner),
                      PlaceholderKey.isPlaceholder(key) else { continue }
                warnings.append("""
                    \(Entity.collection)[\(index)].\(field): \(Entity.kind) '\(entity.id)' still has a placeholder key \
                    (\(PlaceholderKey.prefix)…) from Config/policy.example.json: its leads are not delivered until it holds its real Buying Buddy key
                    """)
            }
        }
        placeholders(policy.accounts)
        placeholders(policy.agents)
        return warnings
    }
}
