import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics. swift-metrics may be bootstrapped once
/// per process, so every application built in the process (tests build many) shares it.
public enum MetricsRegistry {
    public static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
