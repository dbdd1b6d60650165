import Foundation
import HTTPTypes
import Hummingbird
import LeadStore

/// Guards the console's pages: a request without a live session of an enabled user is sent to the
/// sign-in page (303, remembering the local path it asked for); every POST must carry the session's
/// `csrf_token` (403 otherwise, and nothing changes). Each page seen renews the session's idle expiry;
/// none outlives its absolute expiry.
struct ConsoleAuthMiddleware: RouterMiddleware {
    typealias Context = DispatcherRequestContext
    let users: any UserRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let session = context.sessions.session,
              Date().timeIntervalSince(session.signedInAt) < ConsoleSession.absoluteExpiry,
              let user = try await users.user(id: session.userID), !user.disabled
        else {
            context.sessions.clearSession()
            return Self.toSignIn(from: request)
        }
        var request = request
        if request.method == .post {
            let cookie = request.cookies[ConsoleSession.cookieName]?.value ?? ""
            let form = try await ConsoleForm.read(&request)
            // Compared in constant time, as bearer secrets are: the token stands for the session.
            guard let sent = form["csrf_token"], !cookie.isEmpty,
                  BearerSecret.constantTimeEquals(Data(sent.utf8), Data(ConsoleSession.csrfToken(forCookie: String(cookie)).utf8)),
                  request.headers[HTTPField.Name("Sec-Fetch-Site")!] != "cross-site"
            else {
                throw ConsolePageError(.forbidden, "This form has expired or did not come from the console. Reload the page and try again.")
            }
        }
        _ = context.sessions.updateSession(session, expiresIn: ConsoleSession.idleExpiry)
        var context = context
        context.consoleUser = user
        return try await next(request, context)
    }

    /// 303 to the sign-in page, with `next` set to the page asked for (a local console path only).
    static func toSignIn(from request: Request) -> Response {
        var next = request.uri.path
        if let query = request.uri.query, !query.isEmpty { next += "?" + query }
        let target = request.method == .get && next != "/console" ? "/console/login?next=\(ConsoleForm.percentEncoded(next))" : "/console/login"
        return Response.redirect(to: target, type: .normal)
    }
}
