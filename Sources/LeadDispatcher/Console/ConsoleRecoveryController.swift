import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// `/console/recover`: the bulk redeliver and reroute of the API (`LeadController.recover`), behind a
/// review step that counts the matches with a dry run first.
struct ConsoleRecoveryController {
    typealias Context = DispatcherRequestContext

    let pages: ConsolePages
    let leads: any LeadRepository
    let policies: any PolicyRepository
    let settings: DispatcherSettings
    let delivery: DeliveryWakeUp?

    static let filterNames = ["action", "status", "since", "until", "agent_id", "account_id", "vendor_id", "campaign_id", "rule_id"]

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("recover", use: review)
        group.post("recover", use: run)
    }

    /// The filter form; with any filter given, the count and a sample, changing nothing.
    @Sendable func review(_ request: Request, context: Context) async throws -> Response {
        let parameters = ConsoleController.parameters(request)
        var notice: String?
        if let done = parameters["done"], let count = parameters["count"].flatMap(Int.init) {
            notice = done == "reroute" ? "Rerouted: \(count) leads decided again and queued; \(parameters["unrouted"].flatMap(Int.init) ?? 0) still found nobody."
                : "Redelivered: \(count) leads queued for delivery again."
        }
        let given = parameters.filter { Self.filterNames.contains($0.key) && !$0.value.isEmpty }
        guard !given.isEmpty, notice == nil else {
            return try await render(request, context, values: ["action": "redeliver", "status": "dead"], notice: notice)
        }
        do {
            let (action, filter) = try Self.filter(given, dryRun: true)
            let result = try await LeadController.recover(action, filter, leads: leads, actor: context.actor, settings: settings, delivery: nil)
            return try await render(request, context, values: given, action: action, result: result)
        } catch let error as APIError {
            return try await render(request, context, values: given, errors: FormErrors(error, inputs: Self.filterNames), status: .badRequest)
        }
    }

    /// The confirmed action: the filter again, run for real; 303 to the page, saying how many.
    @Sendable func run(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let given = form.filter { Self.filterNames.contains($0.key) && !$0.value.isEmpty }
        do {
            let (action, filter) = try Self.filter(given, dryRun: false)
            let result = try await LeadController.recover(action, filter, leads: leads, actor: context.actor, settings: settings, delivery: delivery)
            if result.matched == 0 {
                return try await render(request, context, values: given, notice: "No lead matches this filter any more: nothing was changed.")
            }
            return .redirect(to: "/console/recover?done=\(action.rawValue)&count=\(result.changed)&unrouted=\(result.unrouted)", type: .normal)
        } catch let error as APIError {
            return try await render(request, context, values: given, errors: FormErrors(error, inputs: Self.filterNames), status: .badRequest)
        }
    }

    /// The form's fields as the API's filter body.
    static func filter(_ given: [String: String], dryRun: Bool) throws -> (LeadRecoveryFilter.Action, LeadRecoveryFilter) {
        guard let action = LeadRecoveryFilter.Action(rawValue: given["action"] ?? "redeliver") else {
            throw APIError.badRequest("action: must be redeliver or reroute", field: "action")
        }
        var body: [String: JSONValue] = ["dry_run": .bool(dryRun)]
        for (name, value) in given where name != "action" { body[name] = .string(value) }
        return (action, try LeadRecoveryFilter.parse(body, for: action))
    }

    func render(_ request: Request, _ context: Context, values: [String: String], action: LeadRecoveryFilter.Action? = nil,
                result: BulkRecoveryResult? = nil, notice: String? = nil, errors: FormErrors = FormErrors(),
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let policy = try await policies.currentPolicy().policy
        let e = errors.byField
        let fields = [
            FormField("action", "Action", kind: .select([("redeliver", "redeliver: send each to its decided target"),
                                                          ("reroute", "reroute: decide each again under the current policy")]),
                      value: values["action"] ?? "redeliver", errors: e),
            FormField("status", "Status", kind: .select([("dead", "dead"), ("retrying", "retrying (redeliver)"), ("unrouted", "unrouted (reroute)")]),
                      value: values["status"] ?? "dead", errors: e),
            FormField("since", "Received from", value: values["since"] ?? "", hint: "RFC 3339, e.g. 2026-12-05T08:00:00Z; empty for any time.", errors: e),
            FormField("until", "Received before", value: values["until"] ?? "", errors: e),
            FormField("agent_id", "Agent", kind: .select([("", "any")] + policy.agents.map { ($0.id, $0.name) }), value: values["agent_id"] ?? "", errors: e),
            FormField("account_id", "Account", kind: .select([("", "any")] + policy.accounts.map { ($0.id, $0.name) }), value: values["account_id"] ?? "",
                      errors: e),
            FormField("vendor_id", "Vendor id", value: values["vendor_id"] ?? "", errors: e),
        ]
        var filter = values.filter { Self.filterNames.contains($0.key) }
        if let action { filter["action"] = action.rawValue }
        let page = RecoverPage(chrome: ConsoleChrome("Recover", path: "/console/recover", request: request, context: context),
                               fields: fields, notice: notice, errors: errors.general, action: action, result: result, filter: filter, policy: policy)
        return pages.render("recover", page, status: status)
    }
}
