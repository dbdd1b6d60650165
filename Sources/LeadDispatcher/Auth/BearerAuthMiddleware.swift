import Foundation
import HTTPTypes
import Hummingbird
import LeadStore

/// Guards `/v1`: a live bearer token is required (401 otherwise), and a token whose role may not make
/// the request is refused (403). Auditors read; admins do everything.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = DispatcherRequestContext
    let tokens: any TokenRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Self.bearerToken(in: request.headers) else {
            throw Self.unauthorized("a bearer token is required (Authorization: Bearer <token>)")
        }
        guard let token = try await tokens.authenticateToken(secret) else {
            throw Self.unauthorized("the bearer token is unknown or revoked")
        }
        guard Self.permits(token.role, request.method) else {
            throw APIError(.forbidden, "the token '\(token.id)' has role \(token.role.rawValue), which may not \(request.method.rawValue) here")
        }
        var context = context
        context.token = token
        context.logger[metadataKey: "token_id"] = .string(token.id)
        return try await next(request, context)
    }

    /// Auditors may read everything and change nothing.
    static func permits(_ role: Role, _ method: HTTPRequest.Method) -> Bool {
        switch role {
        case .admin: true
        case .auditor: method == .get || method == .head
        }
    }

    static func bearerToken(in headers: HTTPFields) -> String? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer realm=\"lead-dispatcher\""])
    }
}
