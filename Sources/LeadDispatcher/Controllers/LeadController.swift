import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// `GET /v1/leads/{id}`, `POST /v1/leads/{id}/redeliver`, `POST /v1/leads/{id}/reroute`, their bulk
/// forms `POST /v1/leads/redeliver` and `/v1/leads/reroute`, and `POST /v1/route-preview`.
struct LeadController {
    let leads: any LeadRepository
    let settings: DispatcherSettings
    let delivery: DeliveryWakeUp?

    func addRoutes(to v1: RouterGroup<DispatcherRequestContext>) {
        v1.get("leads", use: list)
        v1.get("leads.csv", use: csv)
        v1.get("leads/:id", use: show)
        v1.post("leads/:id/redeliver", use: redeliver)
        v1.post("leads/:id/reroute", use: reroute)
        v1.post("leads/redeliver", use: redeliverMatching)
        v1.post("leads/reroute", use: rerouteMatching)
        v1.post("route-preview", use: preview)
    }

    /// `{"items": [...], "next_cursor"}`, newest first.
    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let query = try LeadQueryParameters.parse(request.uri.queryParameters)
        let page = try await leads.leads(query)
        let next: JSONValue = page.count == query.limit ? (page.last.map { .string($0.cursor.token) } ?? .null) : .null
        return try JSONResponse.make(.object(["items": .array(page.map { .object(Self.item($0)) }), "next_cursor": next]))
    }

    /// The same rows as CSV, streamed page by page so memory stays constant for any number of leads.
    @Sendable func csv(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let query = try LeadQueryParameters.parse(request.uri.queryParameters, limitDefault: Int.max, limitMax: Int.max)
        return LeadCSV.response(query, leads: leads)
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let lead = try await leads.lead(id: id) else { throw APIError.notFound("no lead '\(id)'") }
        return try JSONResponse.make(Self.detail(lead))
    }

    @Sendable func redeliver(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let lead = try await leads.redeliver(id: try context.parameters.require("id"), actor: context.actor)
        delivery?.leadsQueued()
        return try JSONResponse.make(Self.detail(lead))
    }

    @Sendable func reroute(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let lead = try await leads.reroute(id: try context.parameters.require("id"), actor: context.actor, dayTimeZone: settings.timeZone)
        if lead.status == .queued { delivery?.leadsQueued() }
        return try JSONResponse.make(Self.detail(lead))
    }

    /// `{"redelivered": N, "matched", "dry_run", "sample"}`: every lead the filter matches queued again.
    @Sendable func redeliverMatching(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let filter = try LeadRecoveryFilter.parse(try await JSONRequestBody.object(request, limit: settings.maxBodyBytes), for: .redeliver)
        let result = try await Self.recover(.redeliver, filter, leads: leads, actor: context.actor, settings: settings, delivery: delivery)
        return try JSONResponse.make(Self.recoveryAnswer(result, action: .redeliver, dryRun: filter.dryRun))
    }

    /// `{"rerouted": N, "unrouted": M, "matched", "dry_run", "sample"}`: every lead the filter matches
    /// decided again under the current policy.
    @Sendable func rerouteMatching(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let filter = try LeadRecoveryFilter.parse(try await JSONRequestBody.object(request, limit: settings.maxBodyBytes), for: .reroute)
        let result = try await Self.recover(.reroute, filter, leads: leads, actor: context.actor, settings: settings, delivery: delivery)
        return try JSONResponse.make(Self.recoveryAnswer(result, action: .reroute, dryRun: filter.dryRun))
    }

    /// Runs a bulk recovery (the API and the console's recovery form share it) and wakes delivery for
    /// what it queued.
    static func recover(_ action: LeadRecoveryFilter.Action, _ filter: LeadRecoveryFilter, leads: any LeadRepository, actor: AuditActor,
                        settings: DispatcherSettings, delivery: DeliveryWakeUp?) async throws -> BulkRecoveryResult {
        let result = switch action {
        case .redeliver: try await leads.redeliver(matching: filter.query, filter: filter.filter, dryRun: filter.dryRun, actor: actor)
        case .reroute: try await leads.reroute(matching: filter.query, filter: filter.filter, dryRun: filter.dryRun, actor: actor,
                                               dayTimeZone: settings.timeZone)
        }
        if !filter.dryRun, result.changed > 0 { delivery?.leadsQueued() }
        return result
    }

    static func recoveryAnswer(_ result: BulkRecoveryResult, action: LeadRecoveryFilter.Action, dryRun: Bool) -> JSONValue {
        var body: [String: JSONValue] = [
            "matched": .number(Double(result.matched)),
            "dry_run": .bool(dryRun),
            "sample": .array(result.sample.map { .object(item($0)) }),
        ]
        switch action {
        case .redeliver:
            body["redelivered"] = .number(Double(result.changed))
        case .reroute:
            body["rerouted"] = .number(Double(result.changed))
            body["unrouted"] = .number(Double(result.unrouted))
        }
        if result.matched == 0 { body["message"] = .string("no lead matches this filter; nothing was changed") }
        return .object(body)
    }

    /// The decision the current policy would make for these lead fields; nothing changes.
    @Sendable func preview(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let fields = try await JSONRequestBody.object(request, limit: settings.maxBodyBytes)
        let (lead, at) = try Self.sampleLead(fields)
        let decision = try await leads.preview(lead, at: at, draft: nil, dayTimeZone: settings.timeZone)
        return try JSONResponse.make(.object(["decision": try JSONValue(encoding: decision)]))
    }

    /// A route preview's body: lead fields as for ingest, an optional `vendor_id`, and `at` (RFC 3339,
    /// the moment to decide as of; now when absent). The API and the console's previews share it.
    static func sampleLead(_ body: [String: JSONValue]) throws -> (Lead, Date) {
        var fields = body
        let vendorID = fields.removeValue(forKey: "vendor_id")?.stringValue
        var at = Date()
        switch fields.removeValue(forKey: "at") {
        case nil, .null?: break
        case .string(let text)?:
            guard let parsed = Timestamp.parse(text) else {
                throw APIError.badRequest("at: must be an RFC 3339 time such as 2026-12-01T09:00:00Z", field: "at")
            }
            at = parsed
        case let other?: throw APIError.badRequest("at: must be an RFC 3339 time, not \(other.kindName)", field: "at")
        }
        let submission: LeadSubmission
        do {
            submission = try LeadValidator.validate(fields, vendorID: vendorID ?? "", receivedAt: at)
        } catch {
            throw APIError.badRequest(error.message, field: error.field)
        }
        var lead = submission.lead
        lead.vendorID = vendorID
        return (lead, at)
    }

    /// A lead as the audit API lists it.
    static func item(_ lead: LeadSummary) -> [String: JSONValue] {
        LeadItemView(lead).json
    }

    /// The item plus the fields as received, the decision with its explanation and policy version, the
    /// routing state it read, and every attempt.
    static func detail(_ lead: StoredLead) throws -> JSONValue {
        try LeadDetailView(lead).json()
    }
}
