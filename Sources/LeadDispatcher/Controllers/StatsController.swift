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

    /// Per agent and per Admin key: received, eligible, the share the weights entitled it to, the
    /// leads that share comes to, and skips.
    @Sendable func distribution(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let items = try await Self.distribution(request.uri.queryParameters, leads: leads, policies: policies)
        return try JSONResponse.list(try items.map { item in
            .object([
                "target": try JSONValue(encoding: item.target),
                "received": .number(Double(item.received)),
                "eligible": .number(Double(item.eligible)),
                "entitled_share": .number((item.entitledShare * 10_000).rounded() / 10_000),
                "expected": .number((item.expected * 100).rounded() / 100),
                "skips": .object(item.skips.mapValues { .number(Double($0)) }),
            ])
        })
    }

    /// The tally for the filters `since`, `until`, `account_id` and `pool_id` (only the leads that pool's
    /// rotation decided, and only its members); each refusal names its parameter. The API and the
    /// console's fairness page share it.
    static func distribution(_ parameters: Parameters, leads: any LeadRepository, policies: any PolicyRepository) async throws -> [DistributionTally.Item] {
        let known: Set<String> = ["since", "until", "account_id", "pool_id"]
        if let unknown = parameters.map({ String($0.key) }).sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("\(unknown): is not a filter; use account_id, pool_id, since, until", field: unknown)
        }
        func value(_ name: String) -> String? { parameters[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        let since = try LeadQueryParameters.time(value("since"), "since")
        let until = try LeadQueryParameters.time(value("until"), "until")
        let accountID = value("account_id")
        let policy = try await policies.currentPolicy().policy
        var members: Set<String>?
        if let poolID = value("pool_id") {
            guard let pool = policy.pool(poolID) else { throw APIError.badRequest("pool_id: no pool '\(poolID)'", field: "pool_id") }
            members = Set(pool.members.map(\.agentID))
        }
        var tally = DistributionTally(agents: policy.agents.filter { members?.contains($0.id) ?? true })
        for decided in try await leads.decidedLeads(since: since, until: until) {
            if let poolID = value("pool_id"), DistributionTally.pool(of: decided.decision) != poolID { continue }
            tally.add(decided.decision)
        }
        return tally.result.filter { item in
            (accountID == nil || item.target.accountID == accountID) && (members.map { item.target.agentID.map($0.contains) ?? false } ?? true)
        }
    }

    /// The draft policy `document`, validated whole (an error's path begins `policy.`).
    static func draftPolicy(_ document: [String: JSONValue], vendors: any VendorRepository) async throws -> Policy {
        do {
            let draft = try PolicyDocument.parse(document).0
            try draft.validate(context: ValidationContext(vendorIDs: Set(try await vendors.vendors().map(\.id))))
            return draft
        } catch let error as PolicyError {
            throw APIError(error.prefixed("policy"))
        }
    }

    /// The leads received in the period replayed through `draft`, each at its own received time. The
    /// API and the console's simulate page share it.
    static func backtest(_ draft: Policy, since: Date?, until: Date?, leads: any LeadRepository, timeZone: TimeZone) async throws -> Backtest.Result {
        let replayed = try await leads.decidedLeads(since: since, until: until).map {
            Backtest.Replayed(id: $0.id, receivedAt: $0.receivedAt, lead: $0.lead, recorded: $0.decision.target)
        }
        return Backtest.run(replayed, draft: draft, timeZone: timeZone)
    }

    /// Replays the leads of a period through a draft policy, changing nothing.
    @Sendable func simulate(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        var body = try await JSONRequestBody.object(request, limit: settings.maxAdminBodyBytes)
        guard case .object(let document)? = body.removeValue(forKey: "policy") else {
            throw APIError.badRequest("policy: is required, a policy document as GET /v1/policy shows it", field: "policy")
        }
        let since = try LeadQueryParameters.time(body.removeValue(forKey: "since")?.stringValue, "since")
        let until = try LeadQueryParameters.time(body.removeValue(forKey: "until")?.stringValue, "until")
        let sample = body.removeValue(forKey: "lead")
        let at = body.removeValue(forKey: "at")
        if let unknown = body.keys.sorted().first {
            throw APIError.badRequest("\(unknown): is not a field; use policy, since, until, lead, at", field: unknown)
        }
        let draft = try await Self.draftPolicy(document, vendors: vendors)
        // A sample lead decided by the draft at `at` (now when absent), as `route-preview` decides one
        // by the current policy; the period's leads are each replayed at their own time.
        var decision: JSONValue?
        switch sample {
        case nil, .null?:
            if let at, at != .null { throw APIError.badRequest("at: is when the sample lead is decided; give lead too", field: "at") }
        case .object(var fields)?:
            if let at { fields["at"] = at }
            let (lead, time): (Lead, Date)
            do {
                (lead, time) = try LeadController.sampleLead(fields)
            } catch let error as APIError {
                let field = error.field.map { $0 == "at" ? "at" : "lead." + $0 }
                throw APIError.badRequest(error.message, field: field)
            }
            decision = try JSONValue(encoding: try await leads.preview(lead, at: time, draft: draft, dayTimeZone: settings.timeZone))
        case let other?:
            throw APIError.badRequest("lead: must be an object of lead fields as for route-preview, not \(other.kindName)", field: "lead")
        }
        let result = try await Self.backtest(draft, since: since, until: until, leads: leads, timeZone: settings.timeZone)
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
        ].merging(decision.map { ["decision": $0] } ?? [:]) { first, _ in first }))
    }
}
