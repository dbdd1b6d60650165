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
    let policies: any PolicyRepository
    let audit: any AuditEventRepository
    let vendors: any VendorRepository
    let tokens: any TokenRepository
    let circuits: CircuitBreaker?
    let settings: DispatcherSettings
    let lastVerification: LastChainVerification
    let delivery: DeliveryWakeUp?
    let limiter = SignInLimiter()
    let once = FormOnce()

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
        signedIn.get("leads", use: leadSearch)
        signedIn.get("leads.csv", use: leadCSV)
        signedIn.get("leads/:id", use: leadDetail)
        signedIn.get("audit", use: auditLog)
        signedIn.get("audit/verify", use: auditVerify)
        signedIn.get("versions") { request, context in
            pages.render("versions", VersionsPage(chrome: chrome("Policy versions", path: "/console/versions", request: request, context: context),
                                                  versions: try await policies.policyVersions().map(PolicyVersionView.init)))
        }
        signedIn.get("versions/:version", use: versionDetail)
        signedIn.get("fairness", use: fairness)
        signedIn.get("pools", use: poolList)
        signedIn.get("pools/:id", use: poolDetail)
        signedIn.get("agents") { request, context in
            pages.render("list", ListPage.agents(try await policies.currentPolicy().policy, chrome: chrome("Agents", path: "/console/agents", request: request, context: context),
                                                notice: EntityPage.notice(Self.parameters(request))))
        }
        signedIn.get("rules") { request, context in
            pages.render("list", ListPage.rules(try await policies.currentPolicy().policy, chrome: chrome("Rules", path: "/console/rules", request: request, context: context),
                                                notice: EntityPage.notice(Self.parameters(request))))
        }
        signedIn.get("vendors") { request, context in
            pages.render("list", ListPage.vendors(try await vendors.vendors().map(VendorView.init), chrome: chrome("Vendors", path: "/console/vendors", request: request, context: context),
                                                  notice: EntityPage.notice(Self.parameters(request))))
        }
        signedIn.get("tokens") { request, context in
            pages.render("list", ListPage.tokens(try await tokens.tokens().map(TokenView.init), chrome: chrome("API tokens", path: "/console/tokens", request: request, context: context),
                                                 notice: EntityPage.notice(Self.parameters(request))))
        }
        signedIn.get("users") { request, context in
            pages.render("list", ListPage.users(try await users.users().map(UserView.init), chrome: chrome("Console users", path: "/console/users", request: request, context: context),
                                                notice: EntityPage.notice(Self.parameters(request))))
        }
        // What changes anything: admins only, every change through the admin API's own code.
        let admin = signedIn.group().add(middleware: ConsoleAdminOnlyMiddleware())
        ConsoleEntityController<AccountForm>(pages: pages, policies: policies, leads: leads, vendors: vendors, settings: settings, once: once)
            .addRoutes(to: admin)
        ConsoleEntityController<AgentForm>(pages: pages, policies: policies, leads: leads, vendors: vendors, settings: settings, once: once)
            .addRoutes(to: admin)
        ConsoleEntityController<PoolForm>(pages: pages, policies: policies, leads: leads, vendors: vendors, settings: settings, once: once)
            .addRoutes(to: admin)
        ConsoleEntityController<RuleForm>(pages: pages, policies: policies, leads: leads, vendors: vendors, settings: settings, once: once)
            .addRoutes(to: admin)
        ConsoleQuickActions(policies: policies).addRoutes(to: admin)
        ConsoleDirectoryController(pages: pages, vendors: vendors, tokens: tokens, users: users, once: once).addRoutes(to: admin)
        ConsolePolicyController(pages: pages, policies: policies, leads: leads, vendors: vendors, settings: settings).addRoutes(to: admin)
        ConsoleRecoveryController(pages: pages, leads: leads, policies: policies, settings: settings, delivery: delivery).addRoutes(to: admin)
        signedIn.get("accounts") { request, context in
            pages.render("list", ListPage.accounts(try await policies.currentPolicy(), chrome: chrome("Accounts", path: "/console/accounts", request: request, context: context),
                                                   notice: EntityPage.notice(Self.parameters(request))))
        }
        // Any other console path: signed out, the sign-in page; signed in, a page that says so.
        signedIn.get("**", use: notFound)
    }

    @Sendable func stylesheet(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=86400"],
                 body: ResponseBody(byteBuffer: pages.stylesheet))
    }

    @Sendable func signInPage(_ request: Request, context: Context) async throws -> Response {
        pages.render("login", LoginPage(next: Self.localPath(request.uri.queryParameters["next"].map(String.init))))
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> Response {
        // A page of another site must not sign a visitor in to an account of its choosing.
        if request.headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site" {
            throw ConsolePageError(.forbidden, "Sign in from the console's own sign-in page.")
        }
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
            circuits: (await circuits?.report() ?? []).map { ($0.name, $0.state.rawValue, $0.since) },
            lastVerification: lastVerification.latest, now: now)
        return pages.render("dashboard", model)
    }

    @Sendable func leadSearch(_ request: Request, context: Context) async throws -> Response {
        let parameters = Self.parameters(request)
        let chrome = chrome("Leads", path: "/console/leads", request: request, context: context)
        let policy = try await policies.currentPolicy().policy
        let query: LeadQuery
        do {
            query = try LeadQueryParameters.parse(request.uri.queryParameters)
        } catch let error as APIError {
            return pages.render("leads", LeadsPage(chrome: chrome, parameters: parameters, message: error.message, notices: [], leads: [],
                                                   nextCursor: nil, policy: policy), status: .badRequest)
        }
        let found = try await leads.leads(query)
        let next = found.count == query.limit ? found.last?.cursor.token : nil
        return pages.render("leads", LeadsPage(chrome: chrome, parameters: parameters, message: nil,
                                               notices: Self.unknownReferences(query, policy: policy), leads: found, nextCursor: next,
                                               policy: policy))
    }

    @Sendable func leadCSV(_ request: Request, context: Context) async throws -> Response {
        let query = try LeadQueryParameters.parse(request.uri.queryParameters, limitDefault: Int.max, limitMax: Int.max)
        return LeadCSV.response(query, leads: leads)
    }

    @Sendable func leadDetail(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let lead = try await leads.lead(id: id) else {
            throw ConsolePageError(.notFound, "There is no lead '\(id)'.")
        }
        var events: [AuditEvent] = []
        for type in ["lead.redelivered", "lead.rerouted"] {
            events += try await audit.auditEvents(AuditEventQuery(type: type, limit: 100, entityKind: "lead", entityID: id))
        }
        let model = LeadPage(chrome: chrome("Lead \(id)", path: "/console/leads", request: request, context: context), lead: LeadDetailView(lead),
                             policy: try await policies.currentPolicy().policy, events: events.sorted { $0.seq < $1.seq })
        return pages.render("lead", model)
    }

    @Sendable func auditLog(_ request: Request, context: Context) async throws -> Response {
        let parameters = Self.parameters(request)
        let chrome = chrome("Audit log", path: "/console/audit", request: request, context: context)
        do {
            let query = try AuditEventController.query(request.uri.queryParameters)
            let events = try await audit.auditEvents(query)
            return pages.render("audit", AuditPage(chrome: chrome, parameters: parameters, message: nil, events: events.map(AuditEventView.init),
                                                   nextCursor: AuditEventController.nextCursor(events, limit: query.limit)))
        } catch let error as APIError {
            return pages.render("audit", AuditPage(chrome: chrome, parameters: parameters, message: error.message, events: [], nextCursor: nil),
                                status: .badRequest)
        }
    }

    @Sendable func auditVerify(_ request: Request, context: Context) async throws -> Response {
        let result = try await audit.verifyAuditChain()
        lastVerification.record(result)
        return pages.render("verify", VerifyPage(chrome: chrome("The audit chain", path: "/console/audit", request: request, context: context),
                                                 ok: result.ok, checked: result.checked, firstBrokenID: result.firstBrokenID,
                                                 problem: result.problem, newestID: result.newestID, newestHash: result.newestHash))
    }

    @Sendable func versionDetail(_ request: Request, context: Context) async throws -> Response {
        let text = try context.parameters.require("version")
        guard let number = Int(text), number > 0, let (version, document) = try await policies.policyVersion(number) else {
            throw ConsolePageError(.notFound, "There is no policy version '\(text)'.")
        }
        let previous = number > 1 ? try await policies.policyVersion(number - 1).map { ($0.0.version, $0.1) } : nil
        return pages.render("version", VersionPage(chrome: chrome("Policy version \(number)", path: "/console/versions", request: request,
                                                                  context: context),
                                                   version: version, document: document, previous: previous,
                                                   current: try await policies.policyVersions().last?.version == number,
                                                   notice: EntityPage.notice(Self.parameters(request))))
    }

    @Sendable func fairness(_ request: Request, context: Context) async throws -> Response {
        let parameters = Self.parameters(request)
        let chrome = chrome("Fairness", path: "/console/fairness", request: request, context: context)
        let policy = try await policies.currentPolicy().policy
        do {
            let items = try await StatsController.distribution(request.uri.queryParameters, leads: leads, policies: policies)
            return pages.render("fairness", FairnessPage(chrome: chrome, parameters: parameters, policy: policy, items: items, message: nil))
        } catch let error as APIError {
            return pages.render("fairness", FairnessPage(chrome: chrome, parameters: parameters, policy: policy, items: [], message: error.message),
                                status: .badRequest)
        }
    }

    @Sendable func poolList(_ request: Request, context: Context) async throws -> Response {
        let policy = try await policies.currentPolicy().policy
        var rotations: [PoolRotationView] = []
        for pool in policy.pools {
            if let rotation = try await leads.poolRotation(pool.id, dayTimeZone: settings.timeZone) { rotations.append(rotation) }
        }
        return pages.render("pools", PoolsPage(chrome: chrome("Pools", path: "/console/pools", request: request, context: context),
                                               policy: policy, rotations: rotations, notice: EntityPage.notice(Self.parameters(request))))
    }

    @Sendable func poolDetail(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let policy = try await policies.currentPolicy().policy
        guard let pool = policy.pool(id), let rotation = try await leads.poolRotation(id, dayTimeZone: settings.timeZone) else {
            throw ConsolePageError(.notFound, "There is no pool '\(id)'.")
        }
        return pages.render("pool", PoolPage(chrome: chrome("Pool \(pool.name)", path: "/console/pools", request: request, context: context),
                                             pool: pool, policy: policy, rotation: rotation, notice: EntityPage.notice(Self.parameters(request))))
    }

    @Sendable func notFound(_ request: Request, context: Context) async throws -> Response {
        throw ConsolePageError(.notFound, "There is no page at \(request.uri.path).")
    }

    /// The query string as one value per name (what the search form shows again).
    static func parameters(_ request: Request) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where values[String(name)] == nil {
            values[String(name)] = String(value)
        }
        return values
    }

    /// Filters that name nothing in the policy now: said on the page (the search still runs, since a
    /// lead keeps the ids it was decided with).
    static func unknownReferences(_ query: LeadQuery, policy: Policy) -> [String] {
        var notices: [String] = []
        if let agent = query.agentID, policy.agent(agent) == nil { notices.append("There is no agent '\(agent)' in the policy now.") }
        if let account = query.accountID, policy.account(account) == nil { notices.append("There is no account '\(account)' in the policy now.") }
        if let rule = query.ruleID, policy.rule(rule) == nil { notices.append("There is no rule '\(rule)' in the policy now.") }
        return notices
    }

    func chrome(_ title: String, path: String, request: Request, context: Context) -> ConsoleChrome {
        ConsoleChrome(title, path: path, request: request, context: context)
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
