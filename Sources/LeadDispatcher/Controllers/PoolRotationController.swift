import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// `GET /v1/pools/{id}/rotation`: who is next up in a pool, and why each member can or cannot take a
/// lead now (auditors may read it).
struct PoolRotationController {
    let leads: any LeadRepository
    let settings: DispatcherSettings

    func addRoutes(to group: RouterGroup<DispatcherRequestContext>) {
        group.get(":id/rotation", use: show)
    }

    @Sendable func show(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let rotation = try await leads.poolRotation(id, dayTimeZone: settings.timeZone) else {
            throw APIError.notFound("no pool '\(id)'")
        }
        return try JSONResponse.make(Self.view(rotation))
    }

    static func view(_ rotation: PoolRotationView) -> JSONValue {
        .object([
            "pool_id": .string(rotation.poolID),
            "next": rotation.next.map(JSONValue.string) ?? .null,
            "members": .array(rotation.members.map { member in
                .object([
                    "agent_id": .string(member.agentID),
                    "weight": .number(Double(member.weight)),
                    "current_weight": .number(Double(member.currentWeight)),
                    "today": .number(Double(member.today)),
                    "daily_cap": member.dailyCap.map { .number(Double($0)) } ?? .null,
                    "available": .bool(member.available),
                    "reason": member.reason.map(JSONValue.string) ?? .null,
                ])
            }),
        ])
    }
}
