import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// `/v1/users`: the people who sign in to the console. The password is write-only: a user created
/// without one gets a generated password in the answer, this once. `DELETE` disables a user (it stays
/// listed, so the audit events naming it keep their meaning).
struct UserController {
    let repository: any UserRepository
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: update)
            .delete(":id", use: disable)
    }

    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.list(try await repository.users().map { UserView($0).json })
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let user = try await repository.user(id: id) else { throw APIError.notFound("no user '\(id)'") }
        return try JSONResponse.make(UserView(user).json)
    }

    @Sendable func create(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let fields = try await JSONRequestBody.object(request, limit: bodyLimit)
        let (user, generated) = try await Self.create(fields, in: repository, actor: context.actor)
        guard case .object(var body) = UserView(user).json else { throw APIError(.internalServerError, "user view") }
        if let generated { body["password"] = .string(generated) }
        var response = try JSONResponse.make(.object(body), status: .created)
        response.headers[.location] = "/v1/users/\(user.id)"
        return response
    }

    /// Adds a console user from `{email, name?, role, password?}`; without a password one is made and
    /// answered (the only time it is shown).
    static func create(_ fields: [String: JSONValue], in repository: any UserRepository, actor: AuditActor) async throws -> (ConsoleUser, String?) {
        try TokenController.rejectUnknown(fields, allowed: ["email", "name", "role", "password"])
        let email = try UserInput.email(try Self.string(fields, "email") ?? "")
        let name = try UserInput.name(try Self.string(fields, "name"), email: email)
        let role = try UserInput.role(try Self.string(fields, "role"))
        let given = try Self.string(fields, "password")
        if let given { try Passwords.check(given) }
        let password = given ?? Passwords.generate()
        let user = try await repository.createUser(email: email, name: name, role: role, passwordHash: await Passwords.hash(password), actor: actor)
        return (user, given == nil ? password : nil)
    }

    @Sendable func update(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let fields = try await JSONRequestBody.object(request, limit: bodyLimit)
        try TokenController.rejectUnknown(fields, allowed: ["id", "name", "role", "disabled", "password"])
        if let newID = fields["id"], newID != .string(id) {
            throw APIError.badRequest("id: cannot be changed", field: "id")
        }
        var change = ConsoleUserChange()
        if let name = try Self.string(fields, "name") {
            change.name = try EntityName.check(name.trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
        }
        if fields["role"] != nil { change.role = try UserInput.role(try Self.string(fields, "role")) }
        switch fields["disabled"] {
        case nil: break
        case .bool(let disabled)?: change.disabled = disabled
        case let other?: throw APIError.badRequest("disabled: must be a boolean, not \(other.kindName)", field: "disabled")
        }
        if let password = try Self.string(fields, "password") {
            try Passwords.check(password)
            change.passwordHash = await Passwords.hash(password)
        }
        return try JSONResponse.make(UserView(try await repository.updateUser(id: id, change, actor: context.actor)).json)
    }

    @Sendable func disable(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        _ = try await repository.updateUser(id: try context.parameters.require("id"), ConsoleUserChange(disabled: true), actor: context.actor)
        return Response(status: .noContent)
    }

    /// A string field, nil when absent or null; throws naming it for another kind of value.
    static func string(_ fields: [String: JSONValue], _ name: String) throws -> String? {
        switch fields[name] {
        case nil, .null?: nil
        case .string(let text)?: text
        case let other?: throw APIError.badRequest("\(name): must be a string, not \(other.kindName)", field: name)
        }
    }
}
