import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// `/v1/accounts`, `/v1/agents`, `/v1/pools` and `/v1/rules`: list, create, read, patch and delete,
/// the same way for every kind of policy entity.
///
/// Each change runs inside the store's write transaction on the current policy, so two concurrent
/// changes never overwrite each other, and the whole policy is validated before it commits.
struct PolicyEntityController<Entity: PolicyEntity> {
    let repository: any PolicyRepository
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: update)
            .delete(":id", use: delete)
    }

    @Sendable func list(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let stored = try await repository.currentPolicy()
        return try JSONResponse.list(stored.policy[keyPath: Entity.keyPath].map { $0.adminView(masks: stored.secretMasks) })
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let stored = try await repository.currentPolicy()
        guard let entity = stored.policy[keyPath: Entity.keyPath].first(where: { $0.id == id }) else {
            throw Self.notFound(id)
        }
        return try JSONResponse.make(entity.adminView(masks: stored.secretMasks))
    }

    @Sendable func create(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let fields = try await JSONRequestBody.object(request, limit: bodyLimit)
        let (id, view) = try await Self.create(fields, in: repository, actor: context.actor)
        var response = try JSONResponse.make(try await view.withPolicyWarnings(from: repository), status: .created)
        response.headers[.location] = "/v1/\(Entity.collection)/\(id)"
        return response
    }

    /// Adds the entity these fields describe (an id made from its name when none is given), validated
    /// against the whole policy; answers its id and its admin view. The API and the console share it.
    static func create(_ fields: [String: JSONValue], in repository: any PolicyRepository,
                       actor: AuditActor) async throws -> (id: String, view: JSONValue) {
        var fields = fields
        let secret = try SecretField.take(from: &fields, for: Entity.self, required: true)
        return try await repository.modifyPolicy(actor: actor) { [fields] draft in
            var fields = fields
            let taken = draft.ids(of: Entity.self)
            if fields["id"] == nil || fields["id"] == .null {
                fields["id"] = .string(Slug.make(from: fields["name"]?.stringValue ?? "", fallback: Entity.idFallback, taken: taken))
            }
            let entity = try JSONValue.object(fields).decode(Entity.self)
            guard !taken.contains(entity.id) else {
                throw PolicyError(.duplicate, field: "id", "\(Entity.kind) '\(entity.id)' exists already")
            }
            draft.policy[keyPath: Entity.keyPath].append(entity)
            try entity.validate(in: draft.policy, context: draft.validationContext)
            if let secret, let owner = entity.secretOwner {
                draft.setSecret(secret, for: owner)
            }
            return (entity.id, entity.adminView(masks: draft.secretMasks))
        }
    }

    /// Replaces each top-level field the body names; `null` clears an optional field. Nested objects
    /// (a rule's `match`, `action`) are replaced whole.
    @Sendable func update(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let patch = try await JSONRequestBody.object(request, limit: bodyLimit)
        let view = try await Self.update(id, patch, in: repository, actor: context.actor)
        return try JSONResponse.make(try await view.withPolicyWarnings(from: repository))
    }

    /// Applies `patch` to the entity `id` and answers its admin view. With `expected` (the
    /// fingerprint of the entity as a form showed it), a change made since is refused with
    /// `StaleEdit` rather than overwritten.
    static func update(_ id: String, _ patch: [String: JSONValue], in repository: any PolicyRepository, actor: AuditActor,
                       expected: String? = nil) async throws -> JSONValue {
        var patch = patch
        let secret = try SecretField.take(from: &patch, for: Entity.self, required: false)
        if let newID = patch["id"], newID != .string(id) {
            throw APIError.badRequest("id: cannot be changed (delete and create instead)", field: "id")
        }
        return try await repository.modifyPolicy(actor: actor) { [patch] draft in
            guard let index = draft.policy[keyPath: Entity.keyPath].firstIndex(where: { $0.id == id }) else {
                throw PolicyError(.notFound, field: "", "no \(Entity.kind) '\(id)'")
            }
            let current = draft.policy[keyPath: Entity.keyPath][index]
            if let expected, EntityFingerprint.of(current.adminView(masks: draft.secretMasks)) != expected {
                throw StaleEdit(kind: Entity.kind, id: id)
            }
            guard case .object(var fields) = try JSONValue(encoding: current) else {
                throw PolicyError.invalid("", "the stored \(Entity.kind) cannot be shown")
            }
            for (key, value) in patch {
                fields[key] = value == .null ? nil : value
            }
            let entity = try JSONValue.object(fields).decode(Entity.self)
            draft.policy[keyPath: Entity.keyPath][index] = entity
            try entity.validate(in: draft.policy, context: draft.validationContext)
            if let secret, let owner = entity.secretOwner {
                draft.setSecret(secret, for: owner)
            }
            return entity.adminView(masks: draft.secretMasks)
        }
    }

    @Sendable func delete(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try await Self.delete(try context.parameters.require("id"), in: repository, actor: context.actor)
        return Response(status: .noContent)
    }

    /// Removes the entity, refused (naming them) while others refer to it.
    static func delete(_ id: String, in repository: any PolicyRepository, actor: AuditActor) async throws {
        try await repository.modifyPolicy(actor: actor) { draft in
            guard draft.policy[keyPath: Entity.keyPath].contains(where: { $0.id == id }) else {
                throw PolicyError(.notFound, field: "", "no \(Entity.kind) '\(id)'")
            }
            let referrers = draft.policy.referrers(of: Entity.self, id: id)
            guard referrers.isEmpty else {
                throw PolicyError(.inUse, field: "id", "\(Entity.kind) '\(id)' is still used by \(referrers.joined(separator: ", "))")
            }
            draft.policy[keyPath: Entity.keyPath].removeAll { $0.id == id }
        }
    }

    static func notFound(_ id: String) -> APIError {
        .notFound("no \(Entity.kind) '\(id)'")
    }
}
