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

    /// The token of `Authorization: Bearer <token>` (the scheme in any case, spaces and tabs around
    /// the parts ignored); nil when the header is missing, names another scheme or has no token.
    /// Read as bytes: every lead a vendor posts with its key as a bearer token passes through here.
    static func bearerToken(in headers: HTTPFields) -> String? {
        guard let value = headers[.authorization] else { return nil }
        let bytes = Array(value.utf8)
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        guard var start = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return nil }
        let scheme = Array("bearer".utf8)
        guard last - start + 1 > scheme.count, zip(bytes[start...], scheme).allSatisfy({ $0 | 0x20 == $1 }),
              isBlank(bytes[start + scheme.count]) else { return nil }
        start += scheme.count
        while isBlank(bytes[start]) { start += 1 }
        return String(decoding: bytes[start...last], as: UTF8.self)
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer realm=\"lead-dispatcher\""])
    }
}
