import Foundation
import LeadPolicy

/// The routing policy with the masks of its secrets, as read at one moment.
public struct StoredPolicy: Sendable {
    public var policy: Policy
    public var secretMasks: [SecretOwner: String]

    public init(policy: Policy, secretMasks: [SecretOwner: String]) {
        self.policy = policy
        self.secretMasks = secretMasks
    }

    /// The policy as one document — `accounts`, `agents`, `pools`, `rules` — as the admin API shows
    /// each item: secrets masked.
    public var document: JSONValue {
        .object([
            "accounts": .array(policy.accounts.map { $0.adminView(masks: secretMasks) }),
            "agents": .array(policy.agents.map { $0.adminView(masks: secretMasks) }),
            "pools": .array(policy.pools.map { $0.adminView(masks: secretMasks) }),
            "rules": .array(policy.rules.map { $0.adminView(masks: secretMasks) }),
        ])
    }
}

/// A numbered snapshot of the policy, made by every change to it.
public struct PolicyVersion: Sendable, Equatable {
    public var version: Int
    public var createdAt: String
    public var actor: AuditActor

    package init(version: Int, createdAt: String, actor: AuditActor) {
        self.version = version
        self.createdAt = createdAt
        self.actor = actor
    }
}

/// Reads and changes the routing policy. Every change is validated as a whole, written atomically,
/// and recorded as audit events naming the actor.
public protocol PolicyRepository: Sendable {
    func currentPolicy() async throws -> StoredPolicy

    /// Runs `change` on the current policy inside one write transaction, validates the result, writes
    /// what differs and appends one audit event per changed entity (`<kind>.created|updated|deleted`).
    /// Throws `PolicyError` and changes nothing when the result is invalid.
    func modifyPolicy<Result: Sendable>(
        actor: AuditActor,
        _ change: @escaping @Sendable (inout PolicyDraft) throws -> Result
    ) async throws -> Result

    /// Makes `policy` — version `version`'s, as the caller read it from `policyVersion(_:)` — the policy
    /// in force again, with the keys that version had (for a version made before versions kept their
    /// keys, the keys stored now for the same ids). One transaction: the entity events, a
    /// `policy.restored` event, and a new version, which it returns with the policy now in force.
    func restorePolicy(_ policy: Policy, fromVersion version: Int, actor: AuditActor) async throws -> (version: Int, policy: StoredPolicy)

    /// Every version, newest first.
    func policyVersions() async throws -> [PolicyVersion]

    /// One version and its policy document (secrets masked).
    func policyVersion(_ version: Int) async throws -> (PolicyVersion, JSONValue)?

    /// What in the policy in force cannot work as written: rules that can find nobody, and keys that
    /// are still the example's placeholders. Each names its field (`rules[2]`, `agents[0].api_key`).
    func policyWarnings() async throws -> [String]

    /// The plaintext CRM key of an account (its Admin key) or an agent, for delivery.
    func secret(for owner: SecretOwner) async throws -> String?
}
