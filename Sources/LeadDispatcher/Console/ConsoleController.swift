import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import LeadPolicy
import LeadStore
import NIOCore

/// The web console's routes: the sign-in page and form, sign-out, the pages, and the stylesheet.
struct ConsoleController {
    typealias Context = DispatcherRequestContext

    let pages: ConsolePages
    let users: any UserRepository
    let sessions: any SessionRepository
    let leads: any LeadRepository
    let outbox: any OutboxRepository
    let circuits: CircuitBreaker?
    let settings: DispatcherSettings
    let limiter = SignInLimiter()

    func addRoutes(to router: Router<Context>) {
        // `Secure` cookies need HTTPS; a service that listens on loopback only is tried over plain HTTP.
        let secure = !CRMURL.isLoopback(settings.host)
        let console = router.group("console")
            .add(middleware: ConsoleSecurityHeadersMiddleware())
            .add(middleware: ConsoleErrorPageMiddleware(pages: pages))
            .add(middleware: SessionMiddleware(
                storage: DatabasePersistDriver(sessions: sessions),
                configuration: .init(sessionCookieParameters: .init(name: ConsoleSession.cookieName, path: "/console", secure: secure,
                                                                    sameSite: .strict),
                                     defaultSessionExpiration: ConsoleSession.idleExpiry)))
        console.get("assets/style.css", use: stylesheet)
        console.get("login", use: signInPage)
        console.post("login", use: signIn)
        let signedIn = console.group().add(middleware: ConsoleAuthMiddleware(users: users))
        signedIn.get(use: dashboard)
        signedIn.post("logout", use: signOut)
    }

    @Sendable func stylesheet(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=86400"],
                 body: ResponseBody(byteBuffer: pages.stylesheet))
    }

    @Sendable func signInPage(_ request: Request, context: Context) async throws -> Response {
        pages.render("login", LoginPage(next: Self.localPath(request.uri.queryParameters["next"].map(String.init))))
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let next = Self.localPath(form["next"])
        if let wait = limiter.retryAfter(email: email, address: context.clientAddress) {
            var response = pages.render("login", LoginPage(next: next, email: email,
                                                           message: "Too many failed sign-ins. Try again in \(Self.minutes(wait))."),
                                        status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let found = email.isEmpty ? nil : try await users.userForSignIn(email: email)
        // An unknown email costs a bcrypt check too, so that its answer takes as long as a wrong password's.
        let matches = await Passwords.verify(form["password"] ?? "", hash: found?.passwordHash)
        guard let (user, _) = found, matches else {
            limiter.failed(email: email, address: context.clientAddress)
            return pages.render("login", LoginPage(next: next, email: email, message: "The email or the password is wrong."),
                                status: .unauthorized)
        }
        guard !user.disabled else {
            return pages.render("login", LoginPage(next: next, email: email, message: "This user is disabled: ask an admin."),
                                status: .forbidden)
        }
        limiter.succeeded(email: email)
        context.sessions.createSession(ConsoleSession(userID: user.id, signedInAt: Date()), expiresIn: ConsoleSession.idleExpiry)
        context.logger.info("console sign-in", metadata: ["user_id": "\(user.id)"])
        return .redirect(to: next, type: .normal)
    }

    @Sendable func signOut(_ request: Request, context: Context) async throws -> Response {
        context.sessions.clearSession()
        return .redirect(to: "/console/login", type: .normal)
    }

    @Sendable func dashboard(_ request: Request, context: Context) async throws -> Response {
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let dayStart = calendar.startOfDay(for: now)
        let model = DashboardPage(
            chrome: chrome("The pipeline now", path: "/console", request: request, context: context),
            dayStart: dayStart, counts: try await leads.statusCounts(since: dayStart), snapshot: try await outbox.pipelineSnapshot(),
            circuits: (await circuits?.report() ?? []).map { ($0.name, $0.state.rawValue, $0.since) }, now: now)
        return pages.render("dashboard", model)
    }

    func chrome(_ title: String, path: String, request: Request, context: Context) -> ConsoleChrome {
        ConsoleChrome(title: title, path: path, user: context.consoleUser,
                      cookie: request.cookies[ConsoleSession.cookieName].map { String($0.value) })
    }

    /// Where to go after signing in: a console path of this service, never another site (`//evil`,
    /// `https://…`, `/\evil` are all refused for `/console`).
    static func localPath(_ next: String?) -> String {
        guard let next, next.hasPrefix("/console"), !next.hasPrefix("//"), !next.contains("\\"),
              !next.contains(where: { $0.isNewline || $0 == "\0" }) else { return "/console" }
        return next
    }

    static func minutes(_ seconds: Int) -> String {
        seconds < 60 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
    }

}

/// Shows the console's errors as pages with their status: a refused form (403), a missing page (404),
/// bad input (400), anything unforeseen (500, with the request id; the details go to the log).
struct ConsoleErrorPageMiddleware: RouterMiddleware {
    typealias Context = DispatcherRequestContext
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ConsolePageError {
            var response = page(error.status, error.message, context: context)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as APIError {
            return page(error.status, error.message, context: context)
        } catch let error as PolicyError {
            return page(APIError(error).status, error.description, context: context)
        } catch let error as HTTPError {
            return page(error.status, error.body ?? error.status.reasonPhrase, context: context)
        } catch {
            context.logger.error("console: unexpected failure", metadata: ["error": "\(error)"])
            return page(.internalServerError, "Something went wrong (request \(context.id)).", context: context)
        }
    }

    func page(_ status: HTTPResponse.Status, _ message: String, context: Context) -> Response {
        pages.render("error", ErrorPage(chrome: ConsoleChrome(title: status.reasonPhrase, user: nil, cookie: nil),
                                        heading: "\(status.code) \(status.reasonPhrase)", message: message), status: status)
    }
}
