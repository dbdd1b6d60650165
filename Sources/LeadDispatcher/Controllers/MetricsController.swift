import Foundation
import HTTPTypes
import Hummingbird
import LeadStore
import Logging
import Metrics
import NIOCore
import Prometheus

/// `GET /metrics`: every metric in the Prometheus text format.
///
/// The backlog gauges (outbox depth, oldest pending lead, dead leads) are read from the database at
/// each scrape, so they are exact however many instances of the counters ran before.
struct MetricsController {
    let registry: PrometheusCollectorRegistry
    let outbox: any OutboxRepository
    /// Ingest's share of the writer, for `dispatcher_ingest_writer_busy_ratio` (absent when nil).
    var pressure: IngestPressure? = nil
    var storage: StorageHealth? = nil

    func addRoutes(to router: Router<DispatcherRequestContext>) {
        let registry = self.registry
        let outbox = self.outbox
        let pressure = self.pressure
        let storage = self.storage
        router.get("/metrics") { _, context in
            // Present from the first scrape, 0 until a write fails for lack of space.
            Gauge(label: "dispatcher_storage_full").record(storage?.isFull == true ? 1 : 0)
            if let pressure {
                // At 0.5 and above, delivery runs at its floor (see IngestPressure).
                Gauge(label: "dispatcher_ingest_writer_busy_ratio").record(pressure.busyShare())
            }
            do {
                Self.record(try await outbox.pipelineSnapshot(), now: Date())
            } catch {
                // The counters are still worth serving when the database cannot answer.
                context.logger.error("metrics: cannot read the outbox", metadata: ["error": "\(error)"])
            }
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    static func record(_ snapshot: PipelineSnapshot, now: Date) {
        Gauge(label: "dispatcher_outbox_depth").record(snapshot.outboxDepth)
        let age = snapshot.oldestPendingReceivedAt.map { max(0, now.timeIntervalSince($0)) } ?? 0
        Gauge(label: "dispatcher_outbox_oldest_pending_seconds").record(age)
        Gauge(label: "dispatcher_leads_dead").record(snapshot.deadLeads)
    }
}
