import AsyncHTTPClient
import Foundation
import LeadPolicy
import LeadStore
import Logging
import Metrics
import NIOCore
import ServiceLifecycle

/// Delivers queued leads to Buying Buddy: claims due outbox entries, posts them with up to
/// `deliveryConcurrency` in flight, and records every attempt with its outcome.
///
/// It runs as a service of the application, so it starts with the server and stops after it: on
/// graceful shutdown it stops claiming, lets the attempts in flight finish (for at most
/// `shutdownGracePeriod`), and shuts its HTTP client down. A lead left claimed by a crash is released
/// at the next start and delivered then (on PostgreSQL, taken over by another instance when its lease
/// runs out: the worker renews the leases of the leads it holds, see `renewLeases`).
public struct DeliveryWorker: Service {
    let outbox: any OutboxRepository
    let httpConfiguration: HTTPClient.Configuration
    let settings: DispatcherSettings
    let retry: RetryPolicy
    let concurrency: Int
    let gracePeriod: Double
    let wakeUp: DeliveryWakeUp
    let breaker: CircuitBreaker
    let logger: Logger
    /// Attempts finishing together are recorded in one write transaction.
    let records: GroupCommit<RecordedAttempt, Void>
    /// Leads claimed per claim transaction: more than the deliveries in flight, so that a claim
    /// (itself a commit) is not paid for every lead.
    var claimBatch: Int { max(64, concurrency * 4) }
    /// How long the worker lets leads gather before it claims them, and finished attempts before they
    /// are recorded. Every claim and record is a commit of the one writer that ingest also needs;
    /// a few milliseconds of delivery latency turn one commit per lead into one per batch.
    static let coalescing = Duration.milliseconds(5)
    /// While vendors are posting faster than one lead per commit, the worker claims only this often,
    /// so that a spike of leads is answered first and delivered just after.
    static let yieldToIngest = Duration.milliseconds(50)
    let pressure: IngestPressure?
    /// Told of writes refused for lack of space (logged once there, not once per claim or record).
    let storage: StorageHealth?

    /// The longest an idle worker sleeps before it looks at the outbox again. It is woken whenever a
    /// lead is queued (by its own instance's ingest, or by the others' through `InstanceSignalService`),
    /// and sleeps only until the next lead falls due or the next lapsed claim may be taken over; the
    /// poll catches what no ring announced. With several instances, each poll is a query to the shared
    /// database, and a missed signal is rare (the channel reconnecting, which rings once it is back).
    let idlePoll: Double

    init(outbox: any OutboxRepository, settings: DispatcherSettings, wakeUp: DeliveryWakeUp, breaker: CircuitBreaker,
         pressure: IngestPressure? = nil, storage: StorageHealth? = nil, signalled: Bool = false, logger: Logger) {
        self.outbox = outbox
        self.idlePoll = signalled ? 5 : 1
        self.pressure = pressure
        self.storage = storage
        self.breaker = breaker
        var configuration = HTTPClient.Configuration()
        let timeout = TimeAmount.milliseconds(Int64(settings.deliveryTimeout * 1000))
        configuration.timeout = .init(connect: timeout, read: timeout)
        configuration.redirectConfiguration = .disallow
        // A refused connection is one failed attempt, retried by our own backoff, not silently for
        // the whole timeout by the client.
        configuration.connectionPool.retryConnectionEstablishment = false
        // One connection per delivery in flight: the client's default of 8 per host queued the rest
        // behind them (most leads go to the one Buying Buddy host).
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, settings.deliveryConcurrency)
        self.httpConfiguration = configuration
        self.settings = settings
        self.retry = RetryPolicy(settings: settings)
        self.concurrency = settings.deliveryConcurrency
        self.gracePeriod = settings.shutdownGracePeriod
        self.wakeUp = wakeUp
        self.logger = logger
        // While ingest is busy, finished attempts wait as long as claims do: every record is a commit
        // (and an fsync) that the ingest batches would otherwise queue behind.
        self.records = GroupCommit(path: "delivery", maxBatch: 256, maxWait: { [pressure] in
            pressure?.isHigh(within: Self.yieldToIngest) == true ? Self.yieldToIngest : Self.coalescing
        }) { attempts in
            try await outbox.record(attempts)
            return Array(repeating: (), count: attempts.count)
        }
    }

    public func run() async throws {
        // The client lives exactly as long as the worker runs, so it is always shut down.
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        let client = CRMClient(http: http, defaultURL: settings.crmURL, format: settings.deliveryFormat, timeout: settings.deliveryTimeout)
        do {
            try await work(client)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func work(_ client: CRMClient) async throws {
        try await outbox.releaseClaims()
        let state = WorkerState()
        await withGracefulShutdownHandler {
            // A discarding group: a plain task group keeps every finished delivery's task until it is
            // awaited, which this loop never does, so memory grew with every lead delivered.
            await withDiscardingTaskGroup { group in
                group.addTask { await renewLeases(state: state) }
                await loop(client, state: state, group: &group)
                // Stopped claiming: give the attempts in flight their grace period, then cancel them
                // (their leads stay claimed and are delivered again after the next start).
                let deadline = Date().addingTimeInterval(gracePeriod)
                while await state.busy > 0, Date() < deadline, !Task.isCancelled {
                    await wakeUp.wait(upTo: min(0.1, max(0.001, deadline.timeIntervalSinceNow)))
                }
                let left = await state.busy
                if left > 0 {
                    logger.warning("shutdown: cancelling deliveries still in flight", metadata: ["in_flight": "\(left)"])
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task {
                await state.stop()
                wakeUp.wake()
            }
        }
    }

    private func loop(_ client: CRMClient, state: WorkerState, group: inout DiscardingTaskGroup) async {
        // Claimed leads not yet started. Claims run beside the loop, each in a task of its own, so that
        // deliveries keep starting while a claim waits for the writer (behind an ingest batch or the
        // records of attempts): a loop that claimed in line left every slot idle for as long, and a
        // backlog drained at a fraction of what the CRM took. A lead left here at shutdown stays
        // claimed and is released at the next start.
        var ready: [DeliveryJob] = []
        var claiming = false
        // The last claim came back full: more leads are due now, so the next claim goes at once.
        var backlog = false
        // False once a claim came back short, until the loop has slept until the next lead falls due
        // (or a new one arrives): an idle worker claims no more often than leads come.
        var mayClaim = true
        while await !state.stopped, !Task.isCancelled {
            if claiming, let claim = await state.takeClaim() {
                claiming = false
                ready.append(contentsOf: claim.jobs)
                backlog = claim.full
                mayClaim = claim.full
            }
            let saturated = pressure?.isSaturated() ?? false
            if !claiming, mayClaim, ready.count < Self.refillBelow(concurrency: concurrency, saturated: saturated) {
                claiming = true
                let high = pressure?.isHigh(within: Self.yieldToIngest) ?? false
                // While ingest keeps the writer busy, only the floor: as many as may be in flight, every
                // `yieldToIngest`. Otherwise a short pause lets a trickle of new leads gather into one claim.
                let pause: Duration? = high || saturated ? Self.yieldToIngest : backlog ? nil : Self.coalescing
                let wanted = Self.claimSize(ready: ready.count, concurrency: concurrency, claimBatch: claimBatch, saturated: saturated)
                group.addTask {
                    await claim(wanted, after: pause, state: state)
                    wakeUp.wake()
                }
            }
            // One hop to the state for both: each is a turn of the shared pool, and the loop makes one
            // iteration per delivery.
            let (inFlight, lost) = await state.inFlightAndLost()
            if !lost.isEmpty { ready.removeAll { lost.contains($0.leadID) } }
            var free = concurrency - inFlight
            let starting = min(max(0, free), ready.count)
            for job in ready.prefix(starting) {
                await state.started()
                group.addTask {
                    await deliver(job, with: client, state: state)
                    wakeUp.wake()
                }
            }
            ready.removeFirst(starting)
            free -= starting
            if free > 0, !claiming {
                // Slots are idle, nothing claimed is waiting and no claim is out: claim again at once if
                // more may be due, otherwise sleep until the next lead falls due (or a new one arrives).
                if backlog { continue }
                let nextDue = (try? await outbox.nextDueDate())?.timeIntervalSinceNow ?? idlePoll
                await wakeUp.wait(upTo: min(idlePoll, max(0.005, nextDue)))
                mayClaim = true
            } else {
                // Every slot is busy, or a claim is out: wait for a delivery to finish or the claim to land.
                await wakeUp.wait(upTo: 1)
            }
        }
    }

    /// One claim, after `pause`, handed to the loop through `state` (empty when stopping or failing).
    private func claim(_ wanted: Int, after pause: Duration?, state: WorkerState) async {
        if let pause { try? await Task.sleep(for: pause) }
        var jobs: [DeliveryJob] = []
        if await !state.stopped, !Task.isCancelled {
            do {
                jobs = try await outbox.claimDueJobs(limit: wanted, now: Date(), lease: lease)
            } catch where storage?.isFullFailure(error) == true {
                // Said once by StorageHealth; the leads wait in the outbox until space returns.
            } catch where storage?.isUnavailableFailure(error) == true {
                // The store says once that its server is away; the leads wait in the outbox until it is back.
            } catch {
                logger.error("delivery: cannot claim leads", metadata: ["error": "\(error)"])
            }
        }
        await state.deposit(jobs, full: jobs.count == wanted)
    }

    /// How long a claim lasts unless renewed: one attempt and a margin (`claimLeaseMargin`: recording
    /// an outcome may wait behind other writes). The worker renews every claim it holds each third of
    /// it (`renewLeases`), so a lead waiting behind others, or in flight, stays claimed however long
    /// that takes, and a lead whose instance died is taken over by another within one lease.
    var lease: Double { settings.deliveryTimeout + settings.claimLeaseMargin }

    /// Every third of a lease, extends the claims this worker holds; a claim it no longer holds (taken
    /// over while it could not renew, say with the database away for longer than a lease) is dropped
    /// from what it has still to start. Runs until the worker's group is cancelled.
    private func renewLeases(state: WorkerState) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(lease / 3))
            let held = await state.heldIDs()
            guard !held.isEmpty, !Task.isCancelled else { continue }
            do {
                let kept = try await outbox.renewClaims(held, until: Date().addingTimeInterval(lease))
                await state.lost(held.filter { !kept.contains($0) })
            } catch where storage?.isFullFailure(error) == true || storage?.isUnavailableFailure(error) == true {
                // Said once by StorageHealth; the next renewal tries again within the lease.
            } catch {
                logger.error("delivery: cannot renew claims", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A claim is asked for while fewer leads than this are claimed and not started: two rounds of
    /// slots, so the next claim lands before the slots run dry; while ingest saturates the writer, one.
    static func refillBelow(concurrency: Int, saturated: Bool) -> Int {
        saturated ? concurrency : 2 * concurrency
    }

    /// How many leads one claim asks for, `ready` being claimed and not yet started (fewer than
    /// `refillBelow`): enough for `claimBatch` normally; while ingest saturates the writer, only what
    /// fills the slots — the floor that keeps delivering during a spike.
    static func claimSize(ready: Int, concurrency: Int, claimBatch: Int, saturated: Bool) -> Int {
        max(1, (saturated ? concurrency : claimBatch) - ready)
    }

    /// One attempt, then its record. The lead's slot is given back as soon as the CRM has answered:
    /// `deliveryConcurrency` bounds the requests in flight to the CRM, and a slot held through the
    /// record's commit as well (up to `coalescing` plus the commit) kept a backlog draining at a third
    /// of the speed the CRM could take. The lead stays claimed until its record commits, so a crash in
    /// between delivers it again, as it always could.
    func deliver(_ job: DeliveryJob, with client: CRMClient, state: WorkerState) async {
        guard let (recorded, errorClass) = await attempt(job, with: client) else {
            await state.finished(job.leadID)
            return
        }
        await state.attempted()
        wakeUp.wake()
        do {
            try await records.submit(recorded)
            storage?.noteWritten()
        } catch where storage?.isFullFailure(error) == true || storage?.isUnavailableFailure(error) == true {
            // The lead stays claimed until its lease runs out, then is delivered again: nothing is lost.
        } catch {
            logger.error("delivery: cannot record an attempt", metadata: ["lead_id": "\(job.leadID)", "error": "\(error)"])
        }
        await state.recorded(job.leadID)
        Counter(label: "dispatcher_delivery_attempts_total", dimensions: [("outcome", Self.name(recorded.outcome)), ("error", errorClass ?? "none")]).increment()
        // A delivered lead is routine (info); a failed attempt needs a look (warning), and a dead lead
        // waits for an admin, so it says so even at `--log-level notice` or `warning`.
        let level: Logger.Level = switch recorded.outcome {
        case .delivered: .info
        case .retry, .dead: .warning
        }
        logger.log(level: level, recorded.outcome == .dead ? "lead dead: delivery gave up" : "delivery attempt", metadata: [
            "lead_id": "\(job.leadID)", "target": "\(job.target.kind)", "http_status": "\(recorded.attempt.httpStatus.map(String.init) ?? "-")",
            "error": "\(errorClass ?? "-")", "outcome": "\(Self.name(recorded.outcome))", "attempts": "\(job.attempts + 1)",
        ])
    }

    /// Posts the lead (unless its circuit is open: then it is postponed) and says what to record;
    /// nil when nothing is to be recorded (postponed, or cancelled by shutdown).
    private func attempt(_ job: DeliveryJob, with client: CRMClient) async -> (RecordedAttempt, errorClass: String?)? {
        let circuits = Self.circuits(of: job, defaultURL: client.defaultURL)
        if let later = await breaker.admit([circuits.host, circuits.key]) {
            try? await outbox.postpone(job, until: later)
            return nil
        }
        let now = Date()
        let result: CRMResult
        if let apiKey = job.apiKey, PlaceholderKey.isPlaceholder(apiKey) {
            // Never sent: Buying Buddy would refuse it, or worse, the example's key might mean something there.
            let owner = job.target.agentID.map { "agent '\($0)'" } ?? "account '\(job.target.accountID)'"
            result = CRMResult(verdict: .permanentFailure, errorClass: "placeholder_key", durationMS: 0,
                               detail: "the key of \(owner) is still the placeholder (\(PlaceholderKey.prefix)…) from Config/policy.example.json: set its real key, then redeliver")
        } else if let apiKey = job.apiKey {
            result = await client.post(job, apiKey: apiKey)
            switch result.verdict {
            case .delivered: await breaker.succeeded([circuits.host, circuits.key])
            case .transientFailure: await breaker.failed(circuits.host)
            case .rejected: await breaker.failed(circuits.key)
            case .permanentFailure: break
            }
        } else {
            result = CRMResult(verdict: .permanentFailure, errorClass: "no_key", durationMS: 0,
                               detail: "the target's agent or account no longer exists")
        }
        if Task.isCancelled { return nil }
        let outcome = retry.outcome(of: result, attemptsBefore: job.attempts, rejectionsBefore: job.rejections, now: Date())
        let attempt = DeliveryAttempt(at: Timestamp.string(now), httpStatus: result.httpStatus, crmSuccess: result.crmSuccess,
                                      error: result.errorClass, durationMS: result.durationMS, responseBody: result.responseBody,
                                      detail: result.detail)
        return (RecordedAttempt(leadID: job.leadID, attempt: attempt, outcome: outcome), result.errorClass)
    }

    /// The circuits a delivery goes through: its CRM host, and its target's key.
    static func circuits(of job: DeliveryJob, defaultURL: String) -> (host: String, key: String) {
        let host = URL(string: job.crmURL ?? defaultURL).flatMap { url in url.host.map { "\($0)\(url.port.map { ":\($0)" } ?? "")" } } ?? "unknown"
        let key = job.target.agentID.map { "key:agent:\($0)" } ?? "key:admin:\(job.target.accountID)"
        return ("host:\(host)", key)
    }

    static func name(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .delivered: "delivered"
        case .retry: "retry"
        case .dead: "dead"
        }
    }
}

/// The worker's counters, shared by the loop and the deliveries.
actor WorkerState {
    /// Attempts waiting for the CRM's answer: what `deliveryConcurrency` bounds.
    private(set) var inFlight = 0
    /// Attempts answered and not yet committed.
    private(set) var recording = 0
    private(set) var stopped = false
    /// A claim that landed and that the loop has not taken yet.
    private var claimed: (jobs: [DeliveryJob], full: Bool)?
    /// The leads this worker holds claims on (claimed and not started, in flight, or being recorded):
    /// what `renewLeases` extends.
    private var held: Set<String> = []
    /// Claims found taken over, that the loop is not to start.
    private var lostClaims: Set<String> = []

    /// Work a graceful shutdown waits for.
    var busy: Int { inFlight + recording }

    func started() { inFlight += 1 }
    /// Ended without an attempt to record.
    func finished(_ leadID: String) {
        inFlight -= 1
        held.remove(leadID)
    }
    func attempted() {
        inFlight -= 1
        recording += 1
    }
    func recorded(_ leadID: String) {
        recording -= 1
        held.remove(leadID)
    }
    func heldIDs() -> [String] { Array(held) }
    /// Claims the store no longer counts as this worker's. One finished meanwhile (recorded, its claim
    /// released) is not lost: it is no longer held, and must not be dropped should it be claimed anew.
    func lost(_ leadIDs: [String]) {
        for id in leadIDs where held.remove(id) != nil {
            lostClaims.insert(id)
        }
    }
    /// The attempts in flight, and the claims found taken over since the last call (not to be started).
    func inFlightAndLost() -> (Int, Set<String>) {
        defer { lostClaims = [] }
        return (inFlight, lostClaims)
    }
    func deposit(_ jobs: [DeliveryJob], full: Bool) {
        claimed = (jobs, full)
        held.formUnion(jobs.map(\.leadID))
        lostClaims.subtract(jobs.map(\.leadID))
    }
    func takeClaim() -> (jobs: [DeliveryJob], full: Bool)? {
        defer { claimed = nil }
        return claimed
    }
    func stop() { stopped = true }
}
