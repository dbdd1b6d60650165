import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// `/v1/vendors`: lead vendors. Creating one (or rotating its key) returns its `api_key` once, in
/// full; afterwards only its mask is shown.
struct VendorController {
    let repository: any VendorRepository
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: update)
            .delete(":id", use: delete)
            .post(":id/rotate-key", use: rotateKey)
    }

    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.list(try await repository.vendors().map(Self.view))
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.make(Self.view(try await existing(context)))
    }

    @Sendable func create(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let fields = try await JSONRequestBody.object(request, limit: bodyLimit)
        let (vendor, apiKey) = try await Self.create(fields, in: repository, actor: context.actor)
        guard case .object(var body) = Self.view(vendor) else { throw APIError(.internalServerError, "vendor view") }
        body["api_key"] = .string(apiKey)
        var response = try JSONResponse.make(.object(body), status: .created)
        response.headers[.location] = "/v1/vendors/\(vendor.id)"
        return response
    }

    /// Adds a vendor (an id made from its name when none is given) and answers it with its new key, the
    /// only time the key is shown. The API and the console share it.
    static func create(_ fields: [String: JSONValue], in repository: any VendorRepository, actor: AuditActor) async throws -> (Vendor, String) {
        var fields = fields
        if fields["id"] == nil || fields["id"] == .null {
            let taken = Set(try await repository.vendors().map(\.id))
            fields["id"] = .string(Slug.make(from: fields["name"]?.stringValue ?? "", fallback: "vendor", taken: taken))
        }
        let input = try JSONValue.object(fields).decode(VendorInput.self)
        return try await repository.createVendor(input.vendor, actor: actor)
    }

    @Sendable func update(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let current = try await existing(context)
        let patch = try await JSONRequestBody.object(request, limit: bodyLimit)
        return try JSONResponse.make(Self.view(try await Self.update(current, patch, in: repository, actor: context.actor)))
    }

    /// Applies `patch` to `current`; with `expected` (the fingerprint of the vendor as a form showed
    /// it), a change made since is refused with `StaleEdit`.
    static func update(_ current: Vendor, _ patch: [String: JSONValue], in repository: any VendorRepository, actor: AuditActor,
                       expected: String? = nil) async throws -> Vendor {
        if let newID = patch["id"], newID != .string(current.id) {
            throw APIError.badRequest("id: cannot be changed", field: "id")
        }
        if patch["api_key"] != nil {
            throw APIError.badRequest("api_key: is issued by the dispatcher; use POST /v1/vendors/\(current.id)/rotate-key", field: "api_key")
        }
        if let expected, EntityFingerprint.of(view(current)) != expected {
            throw StaleEdit(kind: "vendor", id: current.id)
        }
        guard case .object(var fields) = Self.view(current) else { throw APIError(.internalServerError, "vendor view") }
        for key in ["api_key", "created_at"] { fields.removeValue(forKey: key) }
        for (key, value) in patch { fields[key] = value == .null ? nil : value }
        let input = try JSONValue.object(fields).decode(VendorInput.self)
        return try await repository.updateVendor(input.vendor, actor: actor)
    }

    @Sendable func delete(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try await repository.deleteVendor(id: try context.parameters.require("id"), actor: context.actor)
        return Response(status: .noContent)
    }

    @Sendable func rotateKey(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let vendor = try await existing(context)
        let apiKey = try await repository.rotateVendorKey(id: vendor.id, actor: context.actor)
        return try JSONResponse.make(.object(["id": .string(vendor.id), "api_key": .string(apiKey)]))
    }

    private func existing(_ context: DispatcherRequestContext) async throws -> Vendor {
        let id = try context.parameters.require("id")
        guard let vendor = try await repository.vendor(id: id) else { throw APIError.notFound("no vendor '\(id)'") }
        return vendor
    }

    static func view(_ vendor: Vendor) -> JSONValue {
        VendorView(vendor).json
    }
}

/// The writable fields of a vendor, checked strictly.
struct VendorInput: Decodable {
    var id: String
    var name: String
    var rateLimitPerMinute: Int?
    var dedupeWindowMinutes: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name
        case rateLimitPerMinute = "rate_limit_per_minute"
        case dedupeWindowMinutes = "dedupe_window_minutes"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        guard Slug.isValid(id) else { throw PolicyError.invalid("id", Slug.requirement) }
        name = try EntityName.check(try container.decode(String.self, forKey: .name).trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
        rateLimitPerMinute = try container.decodeWholeNumberIfPresent(forKey: .rateLimitPerMinute)
        if let limit = rateLimitPerMinute, !(1...1_000_000).contains(limit) {
            throw PolicyError.invalid("rate_limit_per_minute", "must be a whole number from 1 to 1000000, or null for no limit")
        }
        dedupeWindowMinutes = try container.decodeWholeNumberIfPresent(forKey: .dedupeWindowMinutes) ?? 0
        guard (0...525_600).contains(dedupeWindowMinutes) else {
            throw PolicyError.invalid("dedupe_window_minutes", "must be a whole number from 0 (off) to 525600")
        }
    }

    var vendor: Vendor {
        Vendor(id: id, name: name, rateLimitPerMinute: rateLimitPerMinute, dedupeWindowMinutes: dedupeWindowMinutes)
    }
}
