import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// `/healthz` (the process answers) and `/readyz` (the database is open, fully migrated, takes writes,
/// and the master key opens the stored keys).
struct HealthController {
    let store: any StoreHealth
    let circuits: CircuitBreaker?
    let storage: StorageHealth

    func addRoutes(to router: Router<DispatcherRequestContext>) {
        router.get("/healthz", use: health)
        router.get("/readyz", use: ready)
    }

    @Sendable func health(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.make(.object(["status": .string("ok")]))
    }

    @Sendable func ready(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        // While the disk is full, each look tries one small write: ready again as soon as one goes through.
        let writable = await storage.probe(store)
        let ready = await store.isReady() && writable
        let migrations = (try? await store.appliedMigrations()) ?? []
        // Open circuits degrade delivery, not readiness: leads are still accepted and kept.
        let open = await circuits?.report() ?? []
        return try JSONResponse.make(
            .object([
                "status": .string(ready ? "ready" : "not ready"),
                "database": .string(!writable ? "storage full" : ready ? "ok" : "unavailable"),
                "migrations": .array(migrations.map(JSONValue.string)),
                "delivery": .object([
                    "status": .string(open.isEmpty ? "ok" : "degraded"),
                    "circuits": .array(open.map { circuit in
                        .object(["circuit": .string(circuit.name), "state": .string(circuit.state.rawValue),
                                 "since": circuit.since.map { .string(Timestamp.string($0)) } ?? .null])
                    }),
                ]),
            ]),
            status: ready ? .ok : .serviceUnavailable)
    }
}
