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
        var fields = try await JSONRequestBody.object(request, limit: bodyLimit)
        if fields["id"] == nil || fields["id"] == .null {
            let taken = Set(try await repository.vendors().map(\.id))
            fields["id"] = .string(Slug.make(from: fields["name"]?.stringValue ?? "", fallback: "vendor", taken: taken))
        }
        let input = try JSONValue.object(fields).decode(VendorInput.self)
        let (vendor, apiKey) = try await repository.createVendor(input.vendor, actor: context.actor)
        guard case .object(var body) = Self.view(vendor) else { throw APIError(.internalServerError, "vendor view") }
        body["api_key"] = .string(apiKey)
        var response = try JSONResponse.make(.object(body), status: .created)
        response.headers[.location] = "/v1/vendors/\(vendor.id)"
        return response
    }

    @Sendable func update(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let current = try await existing(context)
        let patch = try await JSONRequestBody.object(request, limit: bodyLimit)
        if let newID = patch["id"], newID != .string(current.id) {
            throw APIError.badRequest("id: cannot be changed", field: "id")
        }
        if patch["api_key"] != nil {
            throw APIError.badRequest("api_key: is issued by the dispatcher; use POST /v1/vendors/\(current.id)/rotate-key", field: "api_key")
        }
        guard case .object(var fields) = Self.view(current) else { throw APIError(.internalServerError, "vendor view") }
        for key in ["api_key", "created_at"] { fields.removeValue(forKey: key) }
        for (key, value) in patch { fields[key] = value == .null ? nil : value }
        let input = try JSONValue.object(fields).decode(VendorInput.self)
        return try JSONResponse.make(Self.view(try await repository.updateVendor(input.vendor, actor: context.actor)))
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
