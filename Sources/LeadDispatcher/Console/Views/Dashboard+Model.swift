import Foundation
import LeadStore

/// `/console`: the pipeline now — leads today by status, the outbox, dead and unrouted leads, circuits.
struct DashboardPage {
    struct StatusCount {
        let status: String
        let count: Int
    }

    struct Circuit {
        let name: String
        let state: String
        let since: String
    }

    let chrome: ConsoleChrome
    let dayStart: String
    /// `since` for the links to today's leads (RFC 3339, percent-encoded).
    let sinceParameter: String
    let statuses: [StatusCount]
    let outboxDepth: Int
    let oldestPending: String
    let deadLeads: Int
    let unroutedToday: Int
    let circuits: [Circuit]
    let hasOpenCircuits: Bool
    /// The chain's last verification, in words; nil when none ran since the service started.
    let chain: String?
    let chainOK: Bool

    init(chrome: ConsoleChrome, dayStart: Date, counts: [LeadStatus: Int], snapshot: PipelineSnapshot,
         circuits: [(name: String, state: String, since: Date?)], lastVerification: (at: Date, result: ChainVerification)?, now: Date) {
        self.chrome = chrome
        self.dayStart = Timestamp.string(dayStart)
        sinceParameter = ConsoleForm.percentEncoded(Timestamp.string(dayStart))
        statuses = LeadStatus.allCases.map { StatusCount(status: $0.rawValue, count: counts[$0] ?? 0) }
        outboxDepth = snapshot.outboxDepth
        oldestPending = snapshot.oldestPendingReceivedAt.map { Self.age(now.timeIntervalSince($0)) } ?? "nothing waits"
        deadLeads = snapshot.deadLeads
        unroutedToday = counts[.unrouted] ?? 0
        self.circuits = circuits.map { Circuit(name: $0.name, state: $0.state, since: $0.since.map(Timestamp.string) ?? "") }
        hasOpenCircuits = !circuits.isEmpty
        chainOK = lastVerification?.result.ok ?? false
        chain = lastVerification.map { last in
            let when = Timestamp.string(last.at)
            return last.result.ok
                ? "intact at \(when): \(last.result.checked) events, the newest \(last.result.newestID ?? "—") with hash \(last.result.newestHash ?? "—")"
                : "BROKEN at \(when): event \(last.result.firstBrokenID ?? "?") — \(last.result.problem ?? "")"
        }
    }

    /// `42 s`, `5 min`, `3 h 20 min`.
    static func age(_ seconds: TimeInterval) -> String {
        let seconds = max(0, Int(seconds))
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }
}
