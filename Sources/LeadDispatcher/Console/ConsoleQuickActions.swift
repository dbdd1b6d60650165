import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// The one-click changes: pause or resume an agent (from the agent list, a pool's page or the agent's
/// own), deactivate or activate an account, enable or disable a rule and move it up or down.
/// Each is one policy change through the admin API's code, audited with the user as its actor, and
/// answers 303 back to the page it was made from.
struct ConsoleQuickActions {
    typealias Context = DispatcherRequestContext
    let policies: any PolicyRepository

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("agents/:id/pause") { request, context in try await setAgent(request, context, active: false) }
        group.post("agents/:id/resume") { request, context in try await setAgent(request, context, active: true) }
        group.post("accounts/:id/deactivate") { request, context in try await setAccount(request, context, active: false) }
        group.post("accounts/:id/activate") { request, context in try await setAccount(request, context, active: true) }
        group.post("rules/:id/enable") { request, context in try await setRule(request, context, enabled: true) }
        group.post("rules/:id/disable") { request, context in try await setRule(request, context, enabled: false) }
        group.post("rules/:id/move-up") { request, context in try await move(request, context, up: true) }
        group.post("rules/:id/move-down") { request, context in try await move(request, context, up: false) }
    }

    func setAgent(_ request: Request, _ context: Context, active: Bool) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await PolicyEntityController<Agent>.update(id, ["active": .bool(active)], in: policies, actor: context.actor)
        return try await back(request, to: AgentForm.page(id), done: active ? "resumed" : "paused")
    }

    func setAccount(_ request: Request, _ context: Context, active: Bool) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await PolicyEntityController<Account>.update(id, ["active": .bool(active)], in: policies, actor: context.actor)
        return try await back(request, to: AccountForm.page(id), done: active ? "activated" : "deactivated")
    }

    func setRule(_ request: Request, _ context: Context, enabled: Bool) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await PolicyEntityController<Rule>.update(id, ["enabled": .bool(enabled)], in: policies, actor: context.actor)
        return try await back(request, to: RuleForm.page(id), done: enabled ? "enabled" : "disabled")
    }

    func move(_ request: Request, _ context: Context, up: Bool) async throws -> Response {
        try await RuleOrder.move(try context.parameters.require("id"), up: up, in: policies, actor: context.actor)
        return try await back(request, to: RuleForm.section, done: "moved")
    }

    /// 303 to the form's `return_to` (a console path of this service only), else to `page`.
    func back(_ request: Request, to page: String, done: String) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let target = form["return_to"].map { ConsoleController.localPath($0) } ?? page
        let separator = target.contains("?") ? "&" : "?"
        return .redirect(to: target + separator + "done=" + done, type: .normal)
    }
}
