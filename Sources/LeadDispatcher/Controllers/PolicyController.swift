import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// `GET /v1/policy` and `PUT /v1/policy`: the whole routing policy at once.
struct PolicyController {
    let repository: any PolicyRepository
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(use: show).put(use: replace)
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.make(PolicyDocument.render(try await repository.currentPolicy()))
    }

    /// Validates the whole document first; on any error nothing changes.
    @Sendable func replace(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let document = try await JSONRequestBody.object(request, limit: bodyLimit)
        let applied = try await PolicyDocument.apply(document, to: repository, actor: context.actor)
        return try JSONResponse.make(try await applied.withPolicyWarnings(from: repository))
    }
}
