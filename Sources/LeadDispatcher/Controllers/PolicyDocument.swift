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

    /// The arrays a document must have: the whole policy is replaced, so an absent array would erase
    /// that kind. Emptying one takes an explicit `[]`.
    public static let requiredArrays = ["accounts", "agents", "pools", "rules"]

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
        for name in requiredArrays where document[name] == nil {
            throw PolicyError.invalid(name, "is required: the document replaces the whole policy (give [] to remove every one of the \(name))")
        }
        let (policy, secrets) = try parse(document)
        return try await repository.modifyPolicy(actor: actor) { draft in
            draft.policy = policy
            for (owner, secret) in secrets {
                draft.setSecret(secret, for: owner)
            }
            return render(StoredPolicy(policy: draft.policy, secretMasks: draft.secretMasks))
        }
    }

    /// Makes version `number` the policy in force again, keys included, as a new version. Returns the
    /// new version's number and the policy now in force, rendered.
    public static func restore(version number: Int, in repository: any PolicyRepository, actor: AuditActor) async throws -> (version: Int, policy: JSONValue) {
        guard let (_, document) = try await repository.policyVersion(number), case .object(let fields) = document else {
            throw PolicyError(.notFound, field: "version", "no policy version \(number)")
        }
        let (policy, _) = try parse(fields)
        let restored = try await repository.restorePolicy(policy, fromVersion: number, actor: actor)
        return (restored.version, render(restored.policy))
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
