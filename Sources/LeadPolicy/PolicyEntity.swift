import Foundation

/// What accounts, agents, pools and rules have in common: the admin API lists, creates, reads,
/// patches and deletes them the same way, and `Policy` holds each kind in one array.
public protocol PolicyEntity: Codable, Sendable, Equatable, Identifiable where ID == String {
    /// The singular name used in audit events and errors (`agent`).
    static var kind: String { get }
    /// The plural name used in paths and in the policy document (`agents`).
    static var collection: String { get }
    /// Where the policy keeps entities of this kind.
    static var keyPath: WritableKeyPath<Policy, [Self]> { get }
    /// The write-only secret field this kind carries in the admin API, if any.
    static var secretField: String? { get }
    /// The prefix for generated ids when the name gives none.
    static var idFallback: String { get }

    var id: String { get }
    var name: String { get }

    /// Checks this entity against the rest of the policy (references, ranges). Field names in the
    /// error are relative to the entity.
    func validate(in policy: Policy, context: ValidationContext) throws(PolicyError)
}

/// Facts from outside the policy that validation needs: the vendors that rules may name.
public struct ValidationContext: Sendable {
    public var vendorIDs: Set<String>

    public init(vendorIDs: Set<String>) {
        self.vendorIDs = vendorIDs
    }
}
