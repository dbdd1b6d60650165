import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// `GET /v1/policy/versions` and `/v1/policy/versions/{n}`: every policy the service has run under.
struct PolicyVersionController {
    let repository: any PolicyRepository

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(use: list)
        group.get(":version", use: show)
        group.post(":version/restore", use: restore)
    }

    /// Reads the `{version}` path parameter.
    private func versionNumber(_ context: DispatcherRequestContext) throws -> Int {
        let text = try context.parameters.require("version")
        guard let number = Int(text), number > 0 else { throw APIError.badRequest("version: must be a positive whole number", field: "version") }
        return number
    }

    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.list(try await repository.policyVersions().map { PolicyVersionView($0).json })
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let number = try versionNumber(context)
        guard let (version, document) = try await repository.policyVersion(number) else {
            throw APIError.notFound("no policy version \(number)")
        }
        return try JSONResponse.make(.object([
            "version": .number(Double(version.version)),
            "created_at": .string(version.createdAt),
            "policy": document,
        ]))
    }

    /// `POST /v1/policy/versions/{n}/restore` (admin): version n in force again, with its keys.
    @Sendable func restore(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let number = try versionNumber(context)
        let (version, policy) = try await PolicyDocument.restore(version: number, in: repository, actor: context.actor)
        return try JSONResponse.make(try await JSONValue.object([
            "version": .number(Double(version)),
            "restored_version": .number(Double(number)),
            "policy": policy,
        ]).withPolicyWarnings(from: repository))
    }
}
