import Foundation

/// Lead vendors and their dispatcher keys.
public protocol VendorRepository: Sendable {
    func vendors() async throws -> [Vendor]
    func vendor(id: String) async throws -> Vendor?
    /// Creates the vendor with a new random key and returns that key, the only time it is seen.
    /// Throws `StoreError.conflict` when the id is taken.
    func createVendor(_ vendor: Vendor, actor: AuditActor) async throws -> (Vendor, apiKey: String)
    /// Replaces the vendor's settings. Throws `StoreError.notFound`.
    func updateVendor(_ vendor: Vendor, actor: AuditActor) async throws -> Vendor
    /// Issues a new key, invalidating the old one, and returns it once.
    func rotateVendorKey(id: String, actor: AuditActor) async throws -> String
    /// Throws `StoreError.notFound`, or `PolicyError` (in use) when a rule still names the vendor.
    func deleteVendor(id: String, actor: AuditActor) async throws
    /// The vendor whose key this is, if any.
    func authenticateVendor(apiKey: String) async throws -> Vendor?
}
