import Foundation
import LeadStore
import Logging
import PostgresNIO

/// `InstanceSignals` on PostgreSQL's `LISTEN`/`NOTIFY`, channel `lead_dispatcher`.
///
/// Listened for on the connection the availability watch keeps open (`PostgresAvailability`): the
/// watch already opens it again whenever it fails, and a listener needs a connection held for as long
/// as it listens, which the client's pool does not lend. Signals are sent after the commits they tell
/// of, on their own (`send`), never inside a transaction: a `NOTIFY` in each ingest transaction cost
/// about 5 % of ingest (PERFORMANCE.md).
final class PostgresSignals: InstanceSignals {
    static let channel = "lead_dispatcher"

    let instanceID: String
    private let stream: AsyncStream<InstanceSignal>
    private let continuation: AsyncStream<InstanceSignal>.Continuation
    private let logger: Logger
    /// Set once the store is open: sending goes through its pool.
    private let sender: @Sendable (PostgresQuery) async throws -> Void

    init(instanceID: String, logger: Logger, sender: @escaping @Sendable (PostgresQuery) async throws -> Void) {
        self.instanceID = instanceID
        self.logger = logger
        self.sender = sender
        // Only the newest few are kept for a consumer that lags: one `leadsQueued` wakes a worker as
        // well as a hundred, and pressure is re-sent while it lasts.
        (stream, continuation) = AsyncStream.makeStream(of: InstanceSignal.self, bufferingPolicy: .bufferingNewest(16))
    }

    func signals() -> AsyncStream<InstanceSignal> { stream }

    func send(_ signal: InstanceSignal) async {
        do {
            try await sender("SELECT pg_notify(\(Self.channel), \(signal.payload))")
        } catch {
            logger.debug("signal not sent", metadata: ["signal": "\(signal.payload)", "error": "\(error)"])
        }
    }

    /// Listens on `connection` until it fails or the task is cancelled. Once listening, says
    /// `leadsQueued`: whatever was queued while the channel was down was not heard.
    func listen(on connection: PostgresConnection) async {
        do {
            try await connection.listen(on: Self.channel) { notifications in
                continuation.yield(.leadsQueued)
                for try await notification in notifications {
                    if let signal = InstanceSignal(payload: notification.payload) { continuation.yield(signal) }
                }
            }
        } catch {
            // The connection failed: the watch opens another and listens again.
            logger.debug("stopped listening for other instances' signals", metadata: ["error": "\(error)"])
        }
    }

    /// Ends the stream (the store is closing).
    func finish() {
        continuation.finish()
    }
}
