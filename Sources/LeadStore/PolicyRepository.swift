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

    /// The plaintext CRM key of an account (its Admin key) or an agent, for delivery.
    func secret(for owner: SecretOwner) async throws -> String?
}
