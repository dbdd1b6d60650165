import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// The whole policy in the console: export as a download, import a file (every problem listed,
/// nothing applied on any), restore an earlier version, and `/console/simulate` to try a sample lead or
/// a pending edit first. Changes go through the admin API's own code (`PolicyDocument`).
struct ConsolePolicyController {
    typealias Context = DispatcherRequestContext

    let pages: ConsolePages
    let policies: any PolicyRepository
    let leads: any LeadRepository
    let vendors: any VendorRepository
    let settings: DispatcherSettings

    struct PolicyPage {
        let chrome: ConsoleChrome
        let version: Int
        let counts: String
        let notice: String?
        let errors: [String]
        let hasErrors: Bool
        let errorCount: Int
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("policy") { request, context in try await policyPage(request, context, notice: EntityPage.notice(ConsoleController.parameters(request))) }
        group.get("policy.json", use: export)
        group.post("policy/import", use: importPolicy)
        group.post("versions/:version/restore", use: restore)
        group.get("simulate") { request, context in try await simulatePage(request, context, form: [:]) }
        group.post("simulate/route", use: routeSample)
        group.post("simulate/backtest", use: backtest)
    }

    func policyPage(_ request: Request, _ context: Context, notice: String?, errors: [String] = [],
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let stored = try await policies.currentPolicy()
        let version = try await policies.policyVersions().last?.version ?? 0
        let counts = "\(stored.policy.accounts.count) accounts, \(stored.policy.agents.count) agents, \(stored.policy.pools.count) pools and \(stored.policy.rules.count) rules"
        return pages.render("policy", PolicyPage(chrome: chrome("Policy", "/console/policy", request, context), version: version, counts: counts,
                                                 notice: notice, errors: errors, hasErrors: !errors.isEmpty, errorCount: errors.count),
                            status: status)
    }

    /// `policy.json`, as `GET /v1/policy` and `policy export` write it: keys masked.
    @Sendable func export(_ request: Request, context: Context) async throws -> Response {
        let document = PolicyDocument.render(try await policies.currentPolicy())
        let encoder = JSONEncoder.sorted
        encoder.outputFormatting.insert(.prettyPrinted)
        let version = try await policies.policyVersions().last?.version ?? 0
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"policy-v\(version).json\""],
                        body: ResponseBody(byteBuffer: .init(bytes: try encoder.encode(document))))
    }

    @Sendable func importPolicy(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let text = form["policy"] ?? ""
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await policyPage(request, context, notice: nil, errors: ["policy: choose a policy file (JSON) to import"], status: .badRequest)
        }
        guard let data = text.data(using: .utf8), let value = try? JSONDecoder().decode(JSONValue.self, from: data),
              case .object(let document) = value else {
            return try await policyPage(request, context, notice: nil, errors: ["policy: the file is not a JSON object as the export writes"],
                                        status: .badRequest)
        }
        let problems = PolicyImportCheck.problems(document, vendorIDs: Set(try await vendors.vendors().map(\.id)))
        guard problems.isEmpty else {
            return try await policyPage(request, context, notice: nil, errors: problems, status: .badRequest)
        }
        do {
            _ = try await PolicyDocument.apply(document, to: policies, actor: context.actor)
        } catch {
            return try await policyPage(request, context, notice: nil, errors: try FormErrors(error, inputs: []).general,
                                        status: FormErrors.status(of: error))
        }
        return .redirect(to: "/console/policy?done=imported", type: .normal)
    }

    @Sendable func restore(_ request: Request, context: Context) async throws -> Response {
        let text = try context.parameters.require("version")
        guard let number = Int(text), number > 0 else { throw ConsolePageError(.notFound, "There is no policy version '\(text)'.") }
        let (version, _) = try await PolicyDocument.restore(version: number, in: policies, actor: context.actor)
        return .redirect(to: "/console/versions/\(version)?done=restored", type: .normal)
    }

    // MARK: Simulate

    func simulatePage(_ request: Request, _ context: Context, form: [String: String], errors: FormErrors = FormErrors(),
                      preview: EntityPage.Preview? = nil, backtest: SimulatePage.BacktestView? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let stored = try await policies.currentPolicy()
        let e = errors.byField
        let vendorIDs = try await vendors.vendors().map(\.id)
        let routeFields = [
            FormField("fname", "fname", value: form["fname"] ?? "Sample", errors: e),
            FormField("email", "email", kind: .email, value: form["email"] ?? "", hint: "A repeat of an earlier lead's email meets sticky pools.", errors: e),
            FormField("campaign_id", "campaign_id", value: form["campaign_id"] ?? "", errors: e),
            FormField("tags", "tags", value: form["tags"] ?? "", hint: "Comma-separated.", errors: e),
            FormField("vendor_id", "Vendor", kind: .select([("", "none")] + vendorIDs.map { ($0, $0) }), value: form["vendor_id"] ?? "", errors: e),
            FormField("at", "Decide as of", value: form["at"] ?? "", hint: "RFC 3339 (2026-12-05T09:30:00Z); empty is now.", errors: e),
        ]
        let encoder = JSONEncoder.sorted
        encoder.outputFormatting.insert(.prettyPrinted)
        let current = String(decoding: try encoder.encode(PolicyDocument.render(stored)), as: UTF8.self)
        let backtestFields = [
            FormField("policy", "Draft policy", kind: .textarea, value: form["policy"] ?? current, errors: e),
            FormField("days", "Replay the last … days", kind: .number, value: form["days"] ?? "7", hint: "1 to 366.", errors: e),
        ]
        let page = SimulatePage(
            chrome: chrome("Simulate", "/console/simulate", request, context), errors: errors.general,
            previewForm: EntityPage.Form(action: "/console/simulate/route", multipart: false, fields: routeFields, hidden: [], submit: "Route it", sample: nil),
            preview: preview,
            backtestForm: EntityPage.Form(action: "/console/simulate/backtest", multipart: false, fields: backtestFields, hidden: [], submit: "Replay",
                                          sample: nil),
            backtest: backtest)
        return pages.render("simulate", page, status: status)
    }

    @Sendable func routeSample(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        var body: [String: JSONValue] = [:]
        for name in ["fname", "email", "campaign_id", "tags", "vendor_id", "at"] {
            if let value = FormBody.text(form, name, clearing: false) { body[name] = value }
        }
        do {
            let (lead, at) = try LeadController.sampleLead(body)
            let decision = try await leads.preview(lead, at: at, draft: nil, dayTimeZone: settings.timeZone)
            return try await simulatePage(request, context, form: form,
                                          preview: EntityPage.preview(decision, policy: try await policies.currentPolicy().policy))
        } catch {
            return try await simulatePage(request, context, form: form,
                                          errors: try FormErrors(error, inputs: ["fname", "email", "campaign_id", "tags", "vendor_id", "at"]),
                                          status: .badRequest)
        }
    }

    @Sendable func backtest(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        do {
            guard let days = Int((form["days"] ?? "").trimmingCharacters(in: .whitespaces)), (1...366).contains(days) else {
                throw APIError.badRequest("days: must be a whole number from 1 to 366", field: "days")
            }
            guard let data = form["policy"]?.data(using: .utf8), let value = try? JSONDecoder().decode(JSONValue.self, from: data),
                  case .object(let document) = value else {
                throw APIError.badRequest("policy: is not a JSON object as the export writes", field: "policy")
            }
            let since = Date().addingTimeInterval(-Double(days) * 86_400)
            let draft = try await StatsController.draftPolicy(document, vendors: vendors)
            let result = try await StatsController.backtest(draft, since: since, until: nil, leads: leads, timeZone: settings.timeZone)
            return try await simulatePage(request, context, form: form,
                                          backtest: SimulatePage.BacktestView(result, recordedPolicy: try await policies.currentPolicy().policy, draft: draft))
        } catch {
            var errors = try FormErrors(error, inputs: ["days"])
            if errors.byField.isEmpty { errors.byField["policy"] = errors.general.joined(separator: " "); errors.general = [] }
            return try await simulatePage(request, context, form: form, errors: errors, status: .badRequest)
        }
    }

    func chrome(_ title: String, _ path: String, _ request: Request, _ context: Context) -> ConsoleChrome {
        ConsoleChrome(title, path: path, request: request, context: context)
    }
}
