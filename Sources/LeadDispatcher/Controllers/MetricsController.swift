import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: every metric in the Prometheus text format.
struct MetricsController {
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<DispatcherRequestContext>) {
        let registry = self.registry
        router.get("/metrics") { _, _ in
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
