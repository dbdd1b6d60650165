import Foundation
import LeadStore
import Logging
import ServiceLifecycle

/// Erases contact fields of leads older than `retentionDays`, at start-up and then daily. Does
/// nothing when retention is off (0, the default: keep forever).
struct RetentionService: Service {
    let leads: any LeadRepository
    let retentionDays: Int
    let logger: Logger

    func run() async throws {
        // A service that returns early would stop the whole application: with retention off, this one
        // simply waits for the shutdown.
        guard retentionDays > 0 else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let erased = try await leads.eraseContactFields(receivedBefore: Date().addingTimeInterval(-Double(retentionDays) * 86_400), actor: .service)
                if erased > 0 { logger.info("retention: erased contact fields", metadata: ["leads": "\(erased)"]) }
            } catch {
                logger.error("retention: cannot erase", metadata: ["error": "\(error)"])
            }
            // A day's wait that a graceful shutdown cuts short.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(86_400)) }
        }
    }
}
