import Foundation
import Hummingbird
import LeadStore

/// Changes are for admins: an auditor's POST (and a page of a form that makes something, `…/new`) is
/// refused with 403 and changes nothing. Runs after `ConsoleAuthMiddleware`, which has checked the
/// session and the form token.
struct ConsoleAdminOnlyMiddleware: RouterMiddleware {
    typealias Context = DispatcherRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post || request.uri.path.hasSuffix("/new"), context.consoleUser?.role != .admin {
            throw ConsolePageError(.forbidden, "Only an admin may change this; your role is \(context.consoleUser?.role.rawValue ?? "none").")
        }
        return try await next(request, context)
    }
}
