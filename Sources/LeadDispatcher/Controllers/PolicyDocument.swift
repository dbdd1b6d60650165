import Foundation
import LeadPolicy
import LeadStore

/// The whole policy as one JSON document — `GET/PUT /v1/policy`, `policy export/import` — with the
/// arrays `accounts`, `agents`, `pools` and `rules`, each item as the admin API shows it.
public enum PolicyDocument {
    /// The document with every secret masked.
    public static func render(_ stored: StoredPolicy) -> JSONValue {
        stored.document
    }

    /// Splits a document into the policy and the new keys it brings. An absent or masked key keeps the
    /// one stored for that id; the store refuses a new account or agent without one.
    public static func parse(_ document: [String: JSONValue]) throws(PolicyError) -> (Policy, [SecretOwner: String]) {
        var document = document
        var secrets: [SecretOwner: String] = [:]
        try takeSecrets(Account.self, from: &document, into: &secrets)
        try takeSecrets(Agent.self, from: &document, into: &secrets)
        let policy = try JSONValue.object(document).decode(Policy.self)
        return (policy, secrets)
    }

    /// Validates the document as a whole and replaces the stored policy with it in one transaction.
    /// Returns the policy now in force, rendered.
    public static func apply(_ document: [String: JSONValue], to repository: any PolicyRepository, actor: AuditActor) async throws -> JSONValue {
        let (policy, secrets) = try parse(document)
        return try await repository.modifyPolicy(actor: actor) { draft in
            draft.policy = policy
            for (owner, secret) in secrets {
                draft.setSecret(secret, for: owner)
            }
            return render(StoredPolicy(policy: draft.policy, secretMasks: draft.secretMasks))
        }
    }

    private static func takeSecrets<Entity: PolicyEntity>(_ kind: Entity.Type, from document: inout [String: JSONValue],
                                                          into secrets: inout [SecretOwner: String]) throws(PolicyError) {
        guard case .array(var items)? = document[Entity.collection] else { return }
        for index in items.indices {
            guard case .object(var fields) = items[index] else { continue }
            let secret = try SecretField.take(from: &fields, for: Entity.self, required: false, path: "\(Entity.collection)[\(index)]")
            if let secret, case .string(let id)? = fields["id"] {
                secrets[SecretOwner(kind: Entity.kind, id: id)] = secret
            }
            items[index] = .object(fields)
        }
        document[Entity.collection] = .array(items)
    }
}
