import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// `GET /v1/stats/distribution` (fairness) and `POST /v1/policy/simulate` (backtest).
struct StatsController {
    let leads: any LeadRepository
    let policies: any PolicyRepository
    let vendors: any VendorRepository
    let settings: DispatcherSettings

    func addRoutes(to v1: RouterGroup<DispatcherRequestContext>) {
        v1.get("stats/distribution", use: distribution)
        v1.post("policy/simulate", use: simulate)
    }

    /// Per agent and per Admin key: received, eligible, the share the weights entitled it to, and skips.
    @Sendable func distribution(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let known: Set<String> = ["since", "until", "account_id"]
        if let unknown = parameters.map({ String($0.key) }).sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("\(unknown): is not a filter; use account_id, since, until", field: unknown)
        }
        let since = try LeadQueryParameters.time(parameters["since"].map(String.init), "since")
        let until = try LeadQueryParameters.time(parameters["until"].map(String.init), "until")
        let accountID = parameters["account_id"].map(String.init)
        var tally = DistributionTally(agents: try await policies.currentPolicy().policy.agents)
        for decided in try await leads.decidedLeads(since: since, until: until) {
            tally.add(decided.decision)
        }
        let items = tally.result.filter { accountID == nil || $0.target.accountID == accountID }
        return try JSONResponse.list(try items.map { item in
            .object([
                "target": try JSONValue(encoding: item.target),
                "received": .number(Double(item.received)),
                "eligible": .number(Double(item.eligible)),
                "entitled_share": .number((item.entitledShare * 10_000).rounded() / 10_000),
                "skips": .object(item.skips.mapValues { .number(Double($0)) }),
            ])
        })
    }

    /// Replays the leads of a period through a draft policy, changing nothing.
    @Sendable func simulate(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        var body = try await JSONRequestBody.object(request, limit: settings.maxAdminBodyBytes)
        guard case .object(let document)? = body.removeValue(forKey: "policy") else {
            throw APIError.badRequest("policy: is required, a policy document as GET /v1/policy shows it", field: "policy")
        }
        let since = try LeadQueryParameters.time(body.removeValue(forKey: "since")?.stringValue, "since")
        let until = try LeadQueryParameters.time(body.removeValue(forKey: "until")?.stringValue, "until")
        if let unknown = body.keys.sorted().first {
            throw APIError.badRequest("\(unknown): is not a field; use policy, since, until", field: unknown)
        }
        let draft: Policy
        do {
            draft = try PolicyDocument.parse(document).0
            try draft.validate(context: ValidationContext(vendorIDs: Set(try await vendors.vendors().map(\.id))))
        } catch let error as PolicyError {
            throw APIError(error.prefixed("policy"))
        }
        let replayed = try await leads.decidedLeads(since: since, until: until).map {
            Backtest.Replayed(id: $0.id, receivedAt: $0.receivedAt, lead: $0.lead, recorded: $0.decision.target)
        }
        let result = Backtest.run(replayed, draft: draft, timeZone: settings.timeZone)
        func target(_ target: Target?) throws -> JSONValue {
            try target.map { try JSONValue(encoding: $0) } ?? .null
        }
        return try JSONResponse.make(.object([
            "leads": .number(Double(result.leads)),
            "items": .array(try result.counts.map { count in
                .object(["target": try target(count.target), "recorded": .number(Double(count.recorded)), "draft": .number(Double(count.draft))])
            }),
            "changed": .array(try result.changed.map { change in
                .object(["lead_id": .string(change.leadID), "recorded": try target(change.recorded), "draft": try target(change.draft)])
            }),
            "changed_total": .number(Double(result.changedTotal)),
        ]))
    }
}
