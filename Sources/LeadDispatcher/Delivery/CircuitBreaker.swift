import Foundation
import Metrics

/// Stops hammering a Buying Buddy target that keeps failing: after `threshold` failures in a row a
/// circuit opens and deliveries to it wait; after a cool-down one probe goes through; its success closes
/// the circuit, its failure opens it again for twice as long (at most `maxCoolDown`).
///
/// Circuits are per host (connection errors, timeouts, 429, 5xx) and per key (`{"success": false}` for
/// one agent's or account's key), so one bad key does not hold back the others.
actor CircuitBreaker {
    enum State: String, Sendable {
        case closed, open, halfOpen = "half_open"
    }

    struct Circuit: Sendable {
        var failures = 0
        var state = State.closed
        var openedAt: Date?
        var coolDown: TimeInterval
        var probing = false
    }

    let threshold: Int
    let initialCoolDown: TimeInterval
    let maxCoolDown: TimeInterval
    private var circuits: [String: Circuit] = [:]

    init(threshold: Int, initialCoolDown: TimeInterval, maxCoolDown: TimeInterval) {
        self.threshold = threshold
        self.initialCoolDown = initialCoolDown
        self.maxCoolDown = maxCoolDown
    }

    /// nil when a delivery to these circuits may go now (perhaps as the probe); otherwise when to try again.
    func admit(_ names: [String], now: Date = Date()) -> Date? {
        var retryAt: Date?
        for name in names {
            guard var circuit = circuits[name], circuit.state != .closed else { continue }
            let reopensAt = (circuit.openedAt ?? now).addingTimeInterval(circuit.coolDown)
            if circuit.state == .open, now >= reopensAt, !circuit.probing {
                circuit.state = .halfOpen
                circuit.probing = true
                circuits[name] = circuit
                record(name, circuit)
                continue
            }
            let later = circuit.state == .halfOpen ? now.addingTimeInterval(min(1, circuit.coolDown)) : reopensAt
            retryAt = max(retryAt ?? later, later)
        }
        return retryAt
    }

    func succeeded(_ names: [String]) {
        for name in names where circuits[name] != nil {
            circuits[name] = nil
            Gauge(label: "dispatcher_circuit_open", dimensions: [("circuit", name)]).record(0)
        }
    }

    func failed(_ name: String, now: Date = Date()) {
        var circuit = circuits[name] ?? Circuit(coolDown: initialCoolDown)
        circuit.failures += 1
        switch circuit.state {
        case .halfOpen:
            circuit.state = .open
            circuit.openedAt = now
            circuit.coolDown = min(maxCoolDown, circuit.coolDown * 2)
            circuit.probing = false
        case .closed where circuit.failures >= threshold:
            circuit.state = .open
            circuit.openedAt = now
        case .closed, .open:
            break
        }
        circuits[name] = circuit
        record(name, circuit)
    }

    /// The circuits that are not closed, for `/readyz`.
    func report() -> [(name: String, state: State, since: Date?)] {
        circuits.filter { $0.value.state != .closed }.map { ($0.key, $0.value.state, $0.value.openedAt) }.sorted { $0.name < $1.name }
    }

    private func record(_ name: String, _ circuit: Circuit) {
        Gauge(label: "dispatcher_circuit_open", dimensions: [("circuit", name)]).record(circuit.state == .closed ? 0 : 1)
    }
}
