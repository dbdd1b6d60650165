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
    }

    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.list(try await repository.policyVersions().map { version in
            .object([
                "version": .number(Double(version.version)),
                "created_at": .string(version.createdAt),
                "actor": .object(["kind": .string(version.actor.kind.rawValue), "id": version.actor.id.map(JSONValue.string) ?? .null,
                                  "name": .string(version.actor.name)]),
            ])
        })
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let text = try context.parameters.require("version")
        guard let number = Int(text), number > 0 else { throw APIError.badRequest("version: must be a positive whole number", field: "version") }
        guard let (version, document) = try await repository.policyVersion(number) else {
            throw APIError.notFound("no policy version \(number)")
        }
        return try JSONResponse.make(.object([
            "version": .number(Double(version.version)),
            "created_at": .string(version.createdAt),
            "policy": document,
        ]))
    }
}
