import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// `GET /v1/audit-events`: the configuration changes, newest first, paged by an opaque cursor.
struct AuditEventController {
    let repository: any AuditEventRepository
    var lastVerification: LastChainVerification? = nil

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(use: list)
        group.get("verify", use: verify)
    }

    /// Newest first; `type`, `since`, `until`, `entity_type`, `entity_id`, `actor`, `limit`, `cursor`.
    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let query = try Self.query(request.uri.queryParameters)
        let events = try await repository.auditEvents(query)
        let next: JSONValue = Self.nextCursor(events, limit: query.limit).map(JSONValue.string) ?? .null
        return try JSONResponse.make(.object(["items": .array(events.map(Self.view)), "next_cursor": next]))
    }

    /// The cursor of the page after `events`, when there may be one.
    static func nextCursor(_ events: [AuditEvent], limit: Int) -> String? {
        guard events.count == limit, let last = events.last, last.seq > 1 else { return nil }
        return String(last.seq)
    }

    /// The filters from the query string, each refusal naming its parameter (the API and the console).
    static func query(_ parameters: Parameters) throws -> AuditEventQuery {
        let known: Set<String> = ["type", "since", "until", "limit", "cursor", "entity_type", "entity_id", "actor"]
        if let unknown = parameters.map({ String($0.key) }).sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("\(unknown): is not a filter; use \(known.sorted().joined(separator: ", "))", field: unknown)
        }
        func value(_ name: String) -> String? { parameters[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        var query = AuditEventQuery(type: value("type"), entityKind: value("entity_type"), entityID: value("entity_id"), actor: value("actor"))
        query.since = try LeadQueryParameters.time(value("since"), "since")
        query.until = try LeadQueryParameters.time(value("until"), "until")
        query.limit = try QueryValue.limit(value("limit"))
        query.beforeSeq = try value("cursor").map { text -> Int64 in
            guard let seq = Int64(text), seq > 0 else { throw APIError.badRequest("cursor: is not a cursor this API issued", field: "cursor") }
            return seq
        }
        return query
    }

    /// `{"ok", "checked", "first_broken_id"}`: the whole chain recomputed.
    @Sendable func verify(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let result = try await repository.verifyAuditChain()
        lastVerification?.record(result)
        return try JSONResponse.make(result.document)
    }

    static func view(_ event: AuditEvent) -> JSONValue {
        AuditEventView(event).json
    }
}

/// Query-string values shared by the list endpoints.
enum QueryValue {
    static func limit(_ text: String?, default value: Int = 50, max: Int = 500) throws -> Int {
        guard let text else { return value }
        guard let limit = Int(text), (1...max).contains(limit) else {
            throw APIError.badRequest("limit: must be a whole number from 1 to \(max)", field: "limit")
        }
        return limit
    }
}
