import LeadStore
import Logging
import ServiceLifecycle

/// Carries the signals between this instance and the others on one database (PostgreSQL; an embedded
/// database has no others, and no such service).
///
/// - Leads queued anywhere wake this instance's delivery worker, so an idle instance takes its share of
///   a burst that arrived at another, instead of at its next poll. This instance says so at most every
///   `IngestPressure.slot`, after the commits: a `NOTIFY` in every ingest transaction measured about
///   5 % slower ingest on PostgreSQL, in turns (PERFORMANCE.md); one a tick is within the noise.
/// - Every `IngestPressure.slot` while this instance's vendors press (batches of several leads, or
///   half the last second spent committing them), it says so; the others' workers step back as they do
///   for their own ingest (see `IngestPressure`).
///
/// Every signal is a hint: lost ones cost a poll's wait, never a lead.
struct InstanceSignalService: Service {
    let signals: any InstanceSignals
    let wakeUp: DeliveryWakeUp
    let pressure: IngestPressure
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await listen() }
                group.addTask { await announce() }
            }
        }
    }

    /// Acts on every signal until the stream ends or the service is cancelled.
    func listen() async {
        for await signal in signals.signals() {
            handle(signal)
        }
    }

    func handle(_ signal: InstanceSignal) {
        switch signal {
        case .leadsQueued:
            wakeUp.wake()
        case .ingestPressure(let share, let high, let from):
            // Our own word comes back too: our pressure is known here already.
            guard from != signals.instanceID else { return }
            pressure.notePeer(busyShare: share, high: high)
        }
    }

    /// Every slot: says that leads were queued here, if they were, and this instance's pressure for as
    /// long as it lasts.
    func announce() async {
        while !Task.isCancelled {
            if wakeUp.takeQueued() {
                await signals.send(.leadsQueued)
            }
            if let signal = Self.pressureSignal(pressure, instanceID: signals.instanceID) {
                await signals.send(signal)
            }
            try? await Task.sleep(for: IngestPressure.slot)
        }
    }

    /// What this instance says of its own pressure now: nothing while its vendors are not pressing.
    static func pressureSignal(_ pressure: IngestPressure, instanceID: String,
                               at now: ContinuousClock.Instant = .now) -> InstanceSignal? {
        let share = pressure.ownBusyShare(at: now)
        let high = pressure.isOwnHigh(within: IngestPressure.slot, at: now)
        guard high || share >= IngestPressure.saturatedShare else { return nil }
        return .ingestPressure(busyShare: share, high: high, from: instanceID)
    }
}
