import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics. swift-metrics may be bootstrapped once
/// per process, so every application built in the process (tests build many) shares it.
public enum MetricsRegistry {
    public static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A decision takes microseconds and a commit about a millisecond: the default buckets
        // (5 ms and up) would put every one of them in the first bucket.
        factory.durationHistogramBuckets["dispatcher_decision_duration_seconds"] = [
            .nanoseconds(500), .microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10),
            .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .milliseconds(1), .milliseconds(10),
        ]
        factory.durationHistogramBuckets["dispatcher_commit_duration_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        factory.valueHistogramBuckets["dispatcher_commit_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 100, 200, 500, 1000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
