import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore
import Metrics
import NIOCore

/// `POST /clientapi/lead-import`: a drop-in for Buying Buddy's Lead Import endpoint.
///
/// The answer `{"success": true, "lead_id", "status"}` comes only after the lead, its decision and its
/// outbox entry are committed. A refused request leaves nothing in the database: a counter and a log
/// line only.
struct LeadImportController {
    let vendors: any VendorRepository
    let settings: DispatcherSettings
    let delivery: DeliveryWakeUp?
    let rateLimiter = VendorRateLimiter()
    let storage: StorageHealth?
    /// Concurrent leads share one write transaction (see `GroupCommit`), committed from a thread of
    /// its own: every lead waits for the one writer, so nothing between two batches waits for a turn
    /// in the concurrency pool.
    let commits: GroupCommit<LeadSubmission, AcceptedLead>
    private let decisionTimer = Metrics.Timer(label: "dispatcher_decision_duration_seconds")

    init(vendors: any VendorRepository, leads: any LeadRepository, settings: DispatcherSettings, delivery: DeliveryWakeUp?,
         pressure: IngestPressure? = nil, storage: StorageHealth? = nil) {
        self.vendors = vendors
        self.storage = storage
        self.settings = settings
        self.delivery = delivery
        let timeZone = settings.timeZone
        let maxWait = Duration.milliseconds(Int64((settings.ingestBatchWait * 1000).rounded()))
        if let blocking = leads as? any BlockingLeadCommitter {
            commits = GroupCommit(path: "ingest", maxBatch: settings.ingestBatchSize, maxWait: maxWait, blockingCommit: { submissions in
                let started = ContinuousClock.now
                defer { pressure?.noteBatch(size: submissions.count, took: ContinuousClock.now - started) }
                return try blocking.acceptBlocking(submissions, dayTimeZone: timeZone)
            })
        } else {
            commits = GroupCommit(path: "ingest", maxBatch: settings.ingestBatchSize, maxWait: maxWait, commit: { submissions in
                let started = ContinuousClock.now
                defer { pressure?.noteBatch(size: submissions.count, took: ContinuousClock.now - started) }
                return try await leads.accept(submissions, dayTimeZone: timeZone)
            })
        }
    }

    func addRoutes(to router: Router<DispatcherRequestContext>) {
        router.post("/clientapi/lead-import", use: importLead)
    }

    @Sendable func importLead(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        // The vendor, once known, names the ingest counter; a request refused before that counts as `unknown`.
        var vendorID = "unknown"
        do {
            let accepted: AcceptedLead
            do {
                accepted = try await accept(request, context: context, vendorID: &vendorID)
                storage?.noteWritten()
            } catch where storage?.isFullFailure(error) == true {
                throw IngestError(.serviceUnavailable, "storage full: the dispatcher cannot store leads right now; this lead was not kept, retry later",
                                  headers: [.retryAfter: String(StorageHealth.retryAfterSeconds)])
            } catch where storage?.isUnavailableFailure(error) == true {
                throw IngestError(.serviceUnavailable, "database unavailable: the dispatcher cannot reach its database now; this lead was not kept, retry shortly",
                                  headers: [.retryAfter: String(StorageHealth.unavailableRetryAfterSeconds)])
            }
            var body: [String: JSONValue] = [
                "success": .bool(true),
                "lead_id": .string(accepted.leadID),
                "status": .string(accepted.status.rawValue),
            ]
            switch accepted.disposition {
            case .new:
                Self.count(vendorID: vendorID, outcome: accepted.status.rawValue)
            case .repeated:
                Self.count(vendorID: vendorID, outcome: "duplicate")
                body["duplicate"] = .bool(true)
            case .keyConflict:
                throw IngestError(.conflict, "Idempotency-Key: was used in the last 24 hours for a different lead (lead \(accepted.leadID)); use a new key")
            }
            if let duration = accepted.decisionDuration {
                decisionTimer.record(duration: duration)
            }
            return try JSONResponse.make(.object(body))
        } catch let error as IngestError {
            Self.count(vendorID: vendorID, outcome: "refused_\(error.status.code)")
            // A full disk is logged once by StorageHealth, not once per lead it refuses.
            if error.status != .serviceUnavailable {
                context.logger.notice("lead refused", metadata: ["status": "\(error.status.code)", "reason": "\(error.message)"])
            }
            throw error
        }
    }

    /// `dispatcher_ingest_total{vendor, outcome}`: the outcome is the lead's status (`queued`,
    /// `unrouted`), `duplicate`, or `refused_<http status>`.
    private static func count(vendorID: String, outcome: String) {
        Counter(label: "dispatcher_ingest_total", dimensions: [("vendor", vendorID), ("outcome", outcome)]).increment()
    }

    private func accept(_ request: Request, context: DispatcherRequestContext, vendorID: inout String) async throws -> AcceptedLead {
        guard let format = LeadFormParser.format(of: request.headers[.contentType]) else {
            throw IngestError(.unsupportedMediaType,
                              "Content-Type: must be application/json, application/x-www-form-urlencoded or multipart/form-data")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: settings.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw IngestError(.contentTooLarge, "the body is larger than \(settings.maxBodyBytes) bytes")
        }
        let raw = try LeadFormParser.fields(body, format: format)
        let vendor = try await authenticate(request.headers, raw)
        vendorID = vendor.id
        if let wait = rateLimiter.take(vendorID: vendor.id, perMinute: vendor.rateLimitPerMinute) {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw IngestError(.tooManyRequests, "rate limit: vendor '\(vendor.id)' may send \(vendor.rateLimitPerMinute ?? 0) leads a minute; retry in \(seconds) s",
                              headers: [.retryAfter: String(seconds)])
        }
        var submission = try LeadValidator.validate(raw, vendorID: vendor.id, receivedAt: Date())
        submission.idempotencyKey = try Self.idempotencyKey(request.headers)
        let accepted = try await commits.submit(submission)
        if accepted.status == .queued { delivery?.leadsQueued() }
        return accepted
    }

    static var idempotencyHeader: HTTPField.Name { HTTPField.Name("Idempotency-Key")! }

    /// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
    static func idempotencyKey(_ headers: HTTPFields) throws(IngestError) -> String? {
        guard let key = headers[idempotencyHeader] else { return nil }
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace && ($0.asciiValue ?? 0) >= 0x21 }) else {
            throw .badRequest("Idempotency-Key: must be 1 to 255 visible ASCII characters")
        }
        return key
    }

    /// The vendor whose key came as `Authorization: Bearer` or in the `api_key` field.
    private func authenticate(_ headers: HTTPFields, _ fields: [String: JSONValue]) async throws -> Vendor {
        let key = BearerAuthMiddleware.bearerToken(in: headers) ?? fields["api_key"]?.stringValue
        guard let key, !key.isEmpty else {
            throw IngestError(.unauthorized, "api_key: a vendor key is required (the api_key field or Authorization: Bearer)")
        }
        guard let vendor = try await vendors.authenticateVendor(apiKey: key) else {
            throw IngestError(.unauthorized, "api_key: unknown vendor key")
        }
        return vendor
    }
}
