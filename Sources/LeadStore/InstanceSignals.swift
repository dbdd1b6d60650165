import Foundation

/// What one instance tells the others on the same database, as it happens. Nothing depends on a
/// signal arriving: each is a hint that saves a wait, and the instance that misses one (it was
/// reconnecting, say) acts on its own polling instead.
public enum InstanceSignal: Sendable, Equatable {
    /// Leads were queued for delivery (accepted, redelivered, rerouted): an idle worker claims now
    /// instead of at its next poll.
    case leadsQueued
    /// An instance's vendors are pressing on the database (see `IngestPressure`): `busyShare` of its
    /// last second went to committing leads, and `high` says batches of several leads were committed
    /// just now. The others' delivery steps back as it does for its own ingest.
    case ingestPressure(busyShare: Double, high: Bool, from: String)

    /// The signal as a notification's text: `queued`, or `pressure <share> <0|1> <instance>`.
    public var payload: String {
        switch self {
        case .leadsQueued:
            "queued"
        case .ingestPressure(let share, let high, let from):
            "pressure \(String(format: "%.3f", min(1, max(0, share)))) \(high ? 1 : 0) \(from)"
        }
    }

    /// The signal a notification's text carries; nil for text this version does not know (an instance
    /// of a newer version may say more), which is ignored.
    public init?(payload: String) {
        let words = payload.split(separator: " ")
        switch words.first {
        case "queued" where words.count == 1:
            self = .leadsQueued
        case "pressure" where words.count == 4:
            guard let share = Double(words[1]), share.isFinite, (0...1).contains(share), ["0", "1"].contains(words[2]) else { return nil }
            self = .ingestPressure(busyShare: share, high: words[2] == "1", from: String(words[3]))
        default:
            return nil
        }
    }
}

/// Signals between the instances sharing one database (PostgreSQL's `LISTEN`/`NOTIFY`). An embedded
/// database has one instance, and no such channel: its store has none (`DispatcherStore.instanceSignals`).
public protocol InstanceSignals: Sendable {
    /// This instance's name among the others (to tell its own signals from theirs).
    var instanceID: String { get }

    /// The signals every instance sends, its own included, for as long as the store is open; one
    /// consumer. After the channel was lost and found again, a `leadsQueued` stands for whatever was
    /// missed meanwhile.
    func signals() -> AsyncStream<InstanceSignal>

    /// Sends `signal` to every instance; best effort (a signal that cannot be sent is dropped).
    func send(_ signal: InstanceSignal) async
}
