import Foundation
import Hummingbird
import LeadPolicy
import LeadStore

/// `/healthz` (the process answers) and `/readyz` (the database is open and fully migrated).
struct HealthController {
    let store: SQLiteStore

    func addRoutes(to router: Router<DispatcherRequestContext>) {
        router.get("/healthz", use: health)
        router.get("/readyz", use: ready)
    }

    @Sendable func health(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        try JSONResponse.make(.object(["status": .string("ok")]))
    }

    @Sendable func ready(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        let ready = await store.isReady()
        let migrations = (try? await store.appliedMigrations()) ?? []
        return try JSONResponse.make(
            .object([
                "status": .string(ready ? "ready" : "not ready"),
                "database": .string(ready ? "ok" : "unavailable"),
                "migrations": .array(migrations.map(JSONValue.string)),
            ]),
            status: ready ? .ok : .serviceUnavailable)
    }
}
