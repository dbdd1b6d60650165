import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// `/v1/tokens`: bearer tokens. Creating one returns `{id, name, role, token}`, the token this once;
/// `DELETE` revokes it for good.
struct TokenController {
    let repository: any TokenRepository
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: rename)
            .delete(":id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.list(try await repository.tokens().map(Self.view))
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let token = try await repository.token(id: id) else { throw APIError.notFound("no token '\(id)'") }
        return try JSONResponse.make(Self.view(token))
    }

    @Sendable func create(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let fields = try await JSONRequestBody.object(request, limit: bodyLimit)
        let (token, secret) = try await Self.create(fields, in: repository, actor: context.actor)
        guard case .object(var body) = Self.view(token) else { throw APIError(.internalServerError, "token view") }
        body["token"] = .string(secret)
        var response = try JSONResponse.make(.object(body), status: .created)
        response.headers[.location] = "/v1/tokens/\(token.id)"
        return response
    }

    /// Makes a token from `{name, role}` and answers it with its secret, the only time it is shown.
    static func create(_ fields: [String: JSONValue], in repository: any TokenRepository, actor: AuditActor) async throws -> (AccessToken, String) {
        try rejectUnknown(fields, allowed: ["name", "role"])
        let name = try Self.name(fields["name"], default: "token")
        guard case .string(let roleName)? = fields["role"], let role = Role(rawValue: roleName) else {
            throw APIError.badRequest("role: is required, one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))", field: "role")
        }
        return try await repository.createToken(name: name, role: role, actor: actor)
    }

    @Sendable func rename(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let fields = try await JSONRequestBody.object(request, limit: bodyLimit)
        try Self.rejectUnknown(fields, allowed: ["name"])
        guard fields["name"] != nil else { throw APIError.badRequest("name: is the only field a token's PATCH may change", field: "name") }
        let token = try await repository.renameToken(id: id, name: try Self.name(fields["name"], default: nil), actor: context.actor)
        return try JSONResponse.make(Self.view(token))
    }

    @Sendable func revoke(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        _ = try await repository.revokeToken(id: try context.parameters.require("id"), actor: context.actor)
        return Response(status: .noContent)
    }

    static func name(_ value: JSONValue?, default fallback: String?) throws -> String {
        switch value {
        case nil, .null?:
            if let fallback { return fallback }
            throw APIError.badRequest("name: is required", field: "name")
        case .string(let text)?:
            return try EntityName.check(text.trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
        case let other?:
            throw APIError.badRequest("name: must be a string, not \(other.kindName)", field: "name")
        }
    }

    static func rejectUnknown(_ fields: [String: JSONValue], allowed: Set<String>) throws {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest("\(unknown): is not a known field", field: unknown)
        }
    }

    static func view(_ token: AccessToken) -> JSONValue {
        TokenView(token).json
    }
}
