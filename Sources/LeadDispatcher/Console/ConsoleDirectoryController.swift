import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// The pages and forms of vendors, API tokens and console users. Each change goes through the admin
/// API's own code, so it is validated and audited as an API change is. A key, token or password the
/// service makes is shown once, on the page that answers the form (never stored to show again), with
/// `Cache-Control: no-store`.
struct ConsoleDirectoryController {
    typealias Context = DispatcherRequestContext

    let pages: ConsolePages
    let vendors: any VendorRepository
    let tokens: any TokenRepository
    let users: any UserRepository
    let once: FormOnce

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("vendors/new") { request, context in try vendorPage(request, context, nil, values: ["dedupe_window_minutes": "0"]) }
        group.post("vendors/new", use: createVendor)
        group.get("vendors/:id") { request, context in
            let vendor = try await existingVendor(context)
            return try vendorPage(request, context, vendor, values: Self.values(vendor), notice: EntityPage.notice(ConsoleController.parameters(request)))
        }
        group.post("vendors/:id", use: updateVendor)
        group.post("vendors/:id/rotate-key", use: rotateVendorKey)
        group.post("vendors/:id/delete") { request, context in
            let vendor = try await existingVendor(context)
            do {
                try await vendors.deleteVendor(id: vendor.id, actor: context.actor)
                return Response.redirect(to: "/console/vendors?done=deleted", type: .normal)
            } catch {
                return try vendorPage(request, context, vendor, values: Self.values(vendor), errors: try FormErrors(error, inputs: []),
                                      status: FormErrors.status(of: error))
            }
        }
        group.get("tokens/new") { request, context in try tokenPage(request, context, nil, values: ["role": "auditor"]) }
        group.post("tokens/new", use: createToken)
        group.get("tokens/:id") { request, context in
            let token = try await existingToken(context)
            return try tokenPage(request, context, token, values: [:], notice: EntityPage.notice(ConsoleController.parameters(request)))
        }
        group.post("tokens/:id/revoke") { request, context in
            let token = try await existingToken(context)
            do {
                _ = try await tokens.revokeToken(id: token.id, actor: context.actor)
                return Response.redirect(to: "/console/tokens/\(token.id)?done=revoked", type: .normal)
            } catch {
                return try tokenPage(request, context, token, values: [:], errors: try FormErrors(error, inputs: []),
                                     status: FormErrors.status(of: error))
            }
        }
        group.get("users/new") { request, context in try userPage(request, context, nil, values: ["role": "auditor"]) }
        group.post("users/new", use: createUser)
        group.get("users/:id") { request, context in
            let user = try await existingUser(context)
            return try userPage(request, context, user, values: Self.values(user), notice: EntityPage.notice(ConsoleController.parameters(request)))
        }
        group.post("users/:id", use: updateUser)
        group.post("users/:id/disable") { request, context in try await setUser(request, context, disabled: true) }
        group.post("users/:id/enable") { request, context in try await setUser(request, context, disabled: false) }
    }

    // MARK: Vendors

    static func values(_ vendor: Vendor) -> [String: String] {
        ["name": vendor.name, "rate_limit_per_minute": vendor.rateLimitPerMinute.map(String.init) ?? "",
         "dedupe_window_minutes": String(vendor.dedupeWindowMinutes), "fingerprint": EntityFingerprint.of(VendorView(vendor).json)]
    }

    func vendorPage(_ request: Request, _ context: Context, _ vendor: Vendor?, values: [String: String], errors: FormErrors = FormErrors(),
                    status: HTTPResponse.Status = .ok, notice: String? = nil, secret: EntityPage.Secret? = nil) throws -> Response {
        let e = errors.byField
        var fields = vendor == nil ? [FormField("id", "Id", value: values["id"] ?? "", hint: "Optional: made from the name when left empty.", errors: e)] : []
        fields += [
            FormField("name", "Name", value: values["name"] ?? "", required: true, errors: e),
            FormField("rate_limit_per_minute", "Rate limit a minute", kind: .number, value: values["rate_limit_per_minute"] ?? "",
                      hint: "Leads beyond it are answered 429 with Retry-After; empty for no limit.", errors: e),
            FormField("dedupe_window_minutes", "Dedupe window in minutes", kind: .number, value: values["dedupe_window_minutes"] ?? "0",
                      hint: "The same email and campaign again inside it is answered with the first lead's id and not delivered again; 0 is off.",
                      errors: e),
        ]
        let hidden = vendor == nil ? [EntityPage.Hidden(name: "form_id", value: values["form_id"] ?? FormOnce.newID())]
            : [EntityPage.Hidden(name: "fingerprint", value: values["fingerprint"] ?? "")]
        let title = vendor.map { "Vendor \($0.name)" } ?? "New vendor"
        let facts = vendor.map { vendor in
            [EntityPage.fact("Key", VendorView(vendor).apiKeyMask), EntityPage.fact("Created", vendor.createdAt),
             EntityPage.fact("Leads", "its leads", link: "/console/leads?vendor_id=\(ConsoleForm.percentEncoded(vendor.id))")]
        } ?? []
        let actions = vendor.map { vendor in
            [EntityPage.action("/console/vendors/\(vendor.id)/rotate-key", "Rotate its key",
                               note: "A new key is shown once; the old one stops working at once."),
             EntityPage.action("/console/vendors/\(vendor.id)/delete", "Delete this vendor", note: "Refused while a rule names it.", danger: true)]
        } ?? []
        return render(request, context, EntityPage(
            chrome: chrome(title, "/console/vendors", request, context), heading: title, intro: vendor.map { "Id \($0.id)." } ?? "",
            notice: notice, errors: errors.general, facts: facts,
            form: EntityPage.Form(action: vendor.map { "/console/vendors/\($0.id)" } ?? "/console/vendors/new", multipart: false, fields: fields,
                                  hidden: hidden, submit: vendor == nil ? "Create vendor" : "Save changes", sample: nil),
            actions: actions, secret: secret), status: status)
    }

    static func vendorBody(_ form: [String: String], creating: Bool) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if creating { body["id"] = FormBody.text(form, "id", clearing: false) }
        body["name"] = FormBody.text(form, "name", clearing: true)
        body["rate_limit_per_minute"] = FormBody.number(form, "rate_limit_per_minute", clearing: !creating)
        body["dedupe_window_minutes"] = FormBody.number(form, "dedupe_window_minutes", clearing: false)
        return body
    }

    @Sendable func createVendor(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        if let again = try claim(form, section: "/console/vendors", context) { return again }
        do {
            let (vendor, key) = try await VendorController.create(Self.vendorBody(form, creating: true), in: vendors, actor: context.actor)
            once.finish(form, section: "/console/vendors", user: context.consoleUser?.id ?? "", location: "/console/vendors/\(vendor.id)")
            return try vendorPage(request, context, vendor, values: Self.values(vendor), notice: "Created.",
                                  secret: Self.keyOnce(key, what: "The vendor's key", use: "Give it to the vendor: they post leads with it as api_key (or a Bearer token)."))
        } catch {
            once.release(form, section: "/console/vendors", user: context.consoleUser?.id ?? "")
            return try vendorPage(request, context, nil, values: form, errors: try FormErrors(error, inputs: Self.vendorInputs),
                                  status: FormErrors.status(of: error))
        }
    }

    static let vendorInputs = ["id", "name", "rate_limit_per_minute", "dedupe_window_minutes"]

    @Sendable func updateVendor(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let vendor = try await existingVendor(context)
        do {
            _ = try await VendorController.update(vendor, Self.vendorBody(form, creating: false), in: vendors, actor: context.actor,
                                                  expected: form["fingerprint"])
            return .redirect(to: "/console/vendors/\(vendor.id)?done=saved", type: .normal)
        } catch let stale as StaleEdit {
            return try vendorPage(request, context, vendor, values: Self.values(vendor), errors: try FormErrors(stale, inputs: []), status: .conflict)
        } catch {
            return try vendorPage(request, context, vendor, values: form, errors: try FormErrors(error, inputs: Self.vendorInputs),
                                  status: FormErrors.status(of: error))
        }
    }

    @Sendable func rotateVendorKey(_ request: Request, context: Context) async throws -> Response {
        let vendor = try await existingVendor(context)
        let key = try await vendors.rotateVendorKey(id: vendor.id, actor: context.actor)
        let rotated = try await existingVendor(context)
        return try vendorPage(request, context, rotated, values: Self.values(rotated), notice: "Rotated: the old key no longer works.",
                              secret: Self.keyOnce(key, what: "The vendor's new key", use: "Give it to the vendor in place of the old one."))
    }

    func existingVendor(_ context: Context) async throws -> Vendor {
        let id = try context.parameters.require("id")
        guard let vendor = try await vendors.vendor(id: id) else { throw ConsolePageError(.notFound, "There is no vendor '\(id)'.") }
        return vendor
    }

    // MARK: Tokens

    func tokenPage(_ request: Request, _ context: Context, _ token: AccessToken?, values: [String: String], errors: FormErrors = FormErrors(),
                   status: HTTPResponse.Status = .ok, notice: String? = nil, secret: EntityPage.Secret? = nil) throws -> Response {
        let title = token.map { "Token \($0.name)" } ?? "New API token"
        let form = token == nil ? EntityPage.Form(
            action: "/console/tokens/new", multipart: false,
            fields: [FormField("name", "Name", value: values["name"] ?? "", hint: "Who or what uses it: \"nightly export\", \"Zapier\".", errors: errors.byField),
                     FormField("role", "Role", kind: .select([("auditor", "auditor: reads leads and the audit log"), ("admin", "admin: changes everything")]),
                               value: values["role"] ?? "auditor", errors: errors.byField)],
            hidden: [EntityPage.Hidden(name: "form_id", value: values["form_id"] ?? FormOnce.newID())], submit: "Create token", sample: nil) : nil
        let facts = token.map { token in
            [EntityPage.fact("Role", token.role.rawValue), EntityPage.fact("Created", token.createdAt),
             EntityPage.fact("State", token.revokedAt.map { "revoked \($0)" } ?? "live")]
        } ?? []
        let actions = token.flatMap { $0.revokedAt == nil ? [EntityPage.action("/console/tokens/\($0.id)/revoke", "Revoke",
                                                                                 note: "It stops opening the API at once. The last admin token cannot be revoked.",
                                                                                 danger: true)] : nil } ?? []
        return render(request, context, EntityPage(chrome: chrome(title, "/console/tokens", request, context), heading: title,
                                                   intro: token.map { "Id \($0.id)." } ?? "", notice: notice, errors: errors.general, facts: facts,
                                                   form: form, actions: actions, secret: secret), status: status)
    }

    @Sendable func createToken(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        if let again = try claim(form, section: "/console/tokens", context) { return again }
        do {
            var body: [String: JSONValue] = ["role": .string(form["role"] ?? "")]
            body["name"] = FormBody.text(form, "name", clearing: false)
            let (token, secret) = try await TokenController.create(body, in: tokens, actor: context.actor)
            once.finish(form, section: "/console/tokens", user: context.consoleUser?.id ?? "", location: "/console/tokens/\(token.id)")
            return try tokenPage(request, context, token, values: [:], notice: "Created.",
                                 secret: Self.keyOnce(secret, what: "The token", use: "Send it as Authorization: Bearer … to the REST API."))
        } catch {
            once.release(form, section: "/console/tokens", user: context.consoleUser?.id ?? "")
            return try tokenPage(request, context, nil, values: form, errors: try FormErrors(error, inputs: ["name", "role"]),
                                 status: FormErrors.status(of: error))
        }
    }

    func existingToken(_ context: Context) async throws -> AccessToken {
        let id = try context.parameters.require("id")
        guard let token = try await tokens.token(id: id) else { throw ConsolePageError(.notFound, "There is no token '\(id)'.") }
        return token
    }

    // MARK: Console users

    static func values(_ user: ConsoleUser) -> [String: String] {
        ["name": user.name, "role": user.role.rawValue, "fingerprint": EntityFingerprint.of(UserView(user).json)]
    }

    func userPage(_ request: Request, _ context: Context, _ user: ConsoleUser?, values: [String: String], errors: FormErrors = FormErrors(),
                  status: HTTPResponse.Status = .ok, notice: String? = nil, secret: EntityPage.Secret? = nil) throws -> Response {
        let e = errors.byField
        let roles = FormField.Kind.select([("auditor", "auditor: reads leads and the audit log"), ("admin", "admin: changes everything")])
        var fields: [FormField] = []
        if user == nil { fields.append(FormField("email", "Email", kind: .email, value: values["email"] ?? "", required: true, errors: e)) }
        fields += [FormField("name", "Name", value: values["name"] ?? "", hint: user == nil ? "Optional: the email's name part when empty." : "", errors: e),
                   FormField("role", "Role", kind: roles, value: values["role"] ?? "auditor", errors: e)]
        if user == nil {
            fields.append(FormField("password", "Password", kind: .secret,
                                    hint: "Optional: at least 12 characters. Left empty, one is made and shown once.", errors: e))
        }
        let hidden = user == nil ? [EntityPage.Hidden(name: "form_id", value: values["form_id"] ?? FormOnce.newID())]
            : [EntityPage.Hidden(name: "fingerprint", value: values["fingerprint"] ?? "")]
        let title = user.map { "User \($0.name)" } ?? "New console user"
        let facts = user.map { [EntityPage.fact("Email", $0.email), EntityPage.fact("State", $0.disabled ? "disabled" : "enabled"),
                                EntityPage.fact("Created", $0.createdAt)] } ?? []
        let actions = user.map { user in
            [user.disabled ? EntityPage.action("/console/users/\(user.id)/enable", "Enable")
                : EntityPage.action("/console/users/\(user.id)/disable", "Disable", note: "Signed out at once. The last admin cannot be disabled.",
                                    danger: true)]
        } ?? []
        return render(request, context, EntityPage(
            chrome: chrome(title, "/console/users", request, context), heading: title, intro: user.map { "Id \($0.id)." } ?? "", notice: notice,
            errors: errors.general, facts: facts,
            form: EntityPage.Form(action: user.map { "/console/users/\($0.id)" } ?? "/console/users/new", multipart: false, fields: fields, hidden: hidden,
                                  submit: user == nil ? "Create user" : "Save changes", sample: nil),
            actions: actions, secret: secret), status: status)
    }

    @Sendable func createUser(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        if let again = try claim(form, section: "/console/users", context) { return again }
        do {
            var body: [String: JSONValue] = ["email": .string(form["email"] ?? ""), "role": .string(form["role"] ?? "")]
            body["name"] = FormBody.text(form, "name", clearing: false)
            if let password = form["password"], !password.isEmpty { body["password"] = .string(password) }
            let (user, generated) = try await UserController.create(body, in: users, actor: context.actor)
            once.finish(form, section: "/console/users", user: context.consoleUser?.id ?? "", location: "/console/users/\(user.id)")
            return try userPage(request, context, user, values: Self.values(user), notice: "Created.",
                                secret: generated.map { Self.keyOnce($0, what: "Their password", use: "Give it to \(user.email) to sign in with.") })
        } catch {
            once.release(form, section: "/console/users", user: context.consoleUser?.id ?? "")
            var shown = form
            shown.removeValue(forKey: "password")
            return try userPage(request, context, nil, values: shown, errors: try FormErrors(error, inputs: ["email", "name", "role", "password"]),
                                status: FormErrors.status(of: error))
        }
    }

    @Sendable func updateUser(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let user = try await existingUser(context)
        do {
            if let expected = form["fingerprint"], EntityFingerprint.of(UserView(user).json) != expected {
                throw StaleEdit(kind: "user", id: user.id)
            }
            var change = ConsoleUserChange()
            change.name = try EntityName.check((form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
            change.role = try UserInput.role(form["role"])
            _ = try await users.updateUser(id: user.id, change, actor: context.actor)
            return .redirect(to: "/console/users/\(user.id)?done=saved", type: .normal)
        } catch let stale as StaleEdit {
            return try userPage(request, context, user, values: Self.values(user), errors: try FormErrors(stale, inputs: []), status: .conflict)
        } catch {
            return try userPage(request, context, user, values: form, errors: try FormErrors(error, inputs: ["name", "role"]),
                                status: FormErrors.status(of: error))
        }
    }

    func setUser(_ request: Request, _ context: Context, disabled: Bool) async throws -> Response {
        let user = try await existingUser(context)
        do {
            _ = try await users.updateUser(id: user.id, ConsoleUserChange(disabled: disabled), actor: context.actor)
            return .redirect(to: "/console/users/\(user.id)?done=\(disabled ? "disabled" : "enabled")", type: .normal)
        } catch {
            return try userPage(request, context, user, values: Self.values(user), errors: try FormErrors(error, inputs: []),
                                status: FormErrors.status(of: error))
        }
    }

    func existingUser(_ context: Context) async throws -> ConsoleUser {
        let id = try context.parameters.require("id")
        guard let user = try await users.user(id: id) else { throw ConsolePageError(.notFound, "There is no console user '\(id)'.") }
        return user
    }

    // MARK: Shared

    /// A second post of a create form that succeeded: to what it made.
    func claim(_ form: [String: String], section: String, _ context: Context) throws -> Response? {
        switch once.claim(form, section: section, user: context.consoleUser?.id ?? "") {
        case .first: return nil
        case .done(let location): return .redirect(to: location + "?done=again", type: .normal)
        case .inFlight: throw ConsolePageError(.conflict, "This form is being saved already: wait a moment, then open the list.")
        }
    }

    static func keyOnce(_ value: String, what: String, use: String) -> EntityPage.Secret {
        EntityPage.Secret(label: "\(what), shown this once", value: value,
                          hint: "Copy it now (select it and copy): it is stored only as a hash or sealed, and this page will not show it again. \(use)")
    }

    func chrome(_ title: String, _ path: String, _ request: Request, _ context: Context) -> ConsoleChrome {
        ConsoleChrome(title, path: path, request: request, context: context)
    }

    func render(_ request: Request, _ context: Context, _ page: EntityPage, status: HTTPResponse.Status) -> Response {
        var response = pages.render("entity", page, status: status)
        if page.secret != nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
