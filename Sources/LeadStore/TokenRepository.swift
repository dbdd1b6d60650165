import Foundation

/// Bearer tokens for the admin and audit APIs.
public protocol TokenRepository: Sendable {
    func tokens() async throws -> [AccessToken]
    func token(id: String) async throws -> AccessToken?
    /// Creates a token and returns it with its secret, the only time the secret is seen.
    func createToken(name: String, role: Role, actor: AuditActor) async throws -> (AccessToken, secret: String)
    /// Renames a token. Throws `StoreError.notFound`.
    func renameToken(id: String, name: String, actor: AuditActor) async throws -> AccessToken
    /// Revokes a token for good. Throws `StoreError.notFound`.
    func revokeToken(id: String, actor: AuditActor) async throws -> AccessToken
    /// The live (not revoked) token with this secret, if any.
    func authenticateToken(_ secret: String) async throws -> AccessToken?
}
