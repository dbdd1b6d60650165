import Testing

/// Waits until `condition` holds, checking it every `interval`, and records a failure naming `what`
/// once `timeout` has passed without it. The one way tests wait for something the service does in the
/// background: they wait for the thing itself, with a deadline far beyond what a busy machine needs,
/// never for a fixed time after which they expect it.
func waitUntil(_ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(10),
               sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("gave up waiting after \(timeout): \(what)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: interval)
    }
}
