import Foundation
import LeadStore
import Logging
import PostgresNIO
import Synchronization

/// Whether the server answers, watched on a connection of its own.
///
/// The client's pool waits for a connection as long as the server is away (it retries quietly), so a
/// request arriving while PostgreSQL restarts or fails over would hang until it is back — a vendor's
/// lead left without an answer. Each operation asks this first and, while the server is away, fails
/// at once with `StoreError.unavailable` (answered 503 with `Retry-After`): nothing was written, and
/// the vendor sends the lead again. An operation already under way when the server went away fails
/// with its connection, or completes once it is back; a lead is acknowledged only after its commit.
final class PostgresAvailability: Sendable {
    /// How often the watch asks, and how long an answer may take before the server counts as away.
    static let interval: Duration = .seconds(1)
    static let answerWithin: Duration = .seconds(3)

    private let up = Atomic<Bool>(true)
    private let since = Mutex<Date?>(nil)
    private let endpoint: PostgresEndpoint
    private let logger: Logger
    /// Listened for on the watch's connection, while it is open (see `PostgresSignals`).
    private let signals: PostgresSignals?

    init(endpoint: PostgresEndpoint, signals: PostgresSignals? = nil, logger: Logger) {
        self.endpoint = endpoint
        self.signals = signals
        self.logger = logger
    }

    var isUp: Bool { up.load(ordering: .relaxed) }

    /// Throws `StoreError.unavailable` while the server is away.
    func check() throws {
        guard isUp else {
            throw StoreError.unavailable("PostgreSQL at \(endpoint.host):\(endpoint.port) is not answering; nothing was changed, retry shortly")
        }
    }

    /// Watches until cancelled: every `interval`, `SELECT 1` on a connection of its own (opened again
    /// whenever it fails); each change logged once. Neither the connecting nor the query is waited
    /// for past `answerWithin` (`PostgresDeadline`): a connection to a server that stopped answering
    /// may not end when asked to.
    ///
    /// The same connection listens for the other instances' signals. The listener is a task of its own,
    /// cancelled and not waited for when the connection is given up: on a connection to a server that
    /// stopped answering, the `LISTEN` it is waiting for may never be answered.
    func watch() async {
        let endpoint = endpoint
        let logger = logger
        var connection: PostgresConnection?
        var listener: Task<Void, Never>?
        while !Task.isCancelled {
            if connection == nil {
                connection = try? await PostgresDeadline.run(Self.answerWithin) {
                    try await PostgresConnection.connect(configuration: try endpoint.connectionConfiguration(), id: 0, logger: logger)
                }
                if let open = connection, let signals {
                    listener = Task { await signals.listen(on: open) }
                }
            }
            var answered = false
            if let open = connection {
                answered = (try? await PostgresDeadline.run(Self.answerWithin) {
                    _ = try await open.query("SELECT 1", logger: logger).collect()
                    return true
                }) ?? false
                if !answered {
                    connection = nil
                    listener?.cancel()
                    Task { try? await open.close() }
                }
            }
            note(answered)
            try? await Task.sleep(for: Self.interval)
        }
        listener?.cancel()
        if let open = connection { Task { try? await open.close() } }
    }

    private func note(_ answered: Bool) {
        let was = up.exchange(answered, ordering: .relaxed)
        guard was != answered else { return }
        if answered {
            let seconds = since.withLock { started in
                defer { started = nil }
                return started.map { Int(Date().timeIntervalSince($0).rounded()) } ?? 0
            }
            logger.warning("PostgreSQL answers again", metadata: ["away_for_seconds": "\(seconds)"])
        } else {
            since.withLock { $0 = Date() }
            logger.error("PostgreSQL is not answering: requests are answered 503 until it is back",
                         metadata: ["server": "\(endpoint.host):\(endpoint.port)"])
        }
    }
}
