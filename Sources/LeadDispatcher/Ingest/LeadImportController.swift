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
    let leads: any LeadRepository
    let settings: DispatcherSettings
    let delivery: DeliveryWakeUp?

    func addRoutes(to router: Router<DispatcherRequestContext>) {
        router.post("/clientapi/lead-import", use: importLead)
    }

    @Sendable func importLead(_ request: Request, context: DispatcherRequestContext) async throws -> Response {
        do {
            let accepted = try await accept(request, context: context)
            Counter(label: "dispatcher_ingest_total", dimensions: [("outcome", accepted.status.rawValue)]).increment()
            return try JSONResponse.make(.object([
                "success": .bool(true),
                "lead_id": .string(accepted.leadID),
                "status": .string(accepted.status.rawValue),
            ]))
        } catch let error as IngestError {
            Counter(label: "dispatcher_ingest_total", dimensions: [("outcome", "refused_\(error.status.code)")]).increment()
            context.logger.notice("lead refused", metadata: ["status": "\(error.status.code)", "reason": "\(error.message)"])
            throw error
        }
    }

    private func accept(_ request: Request, context: DispatcherRequestContext) async throws -> AcceptedLead {
        guard let format = LeadFormParser.format(of: request.headers[.contentType]) else {
            throw IngestError(.unsupportedMediaType,
                              "Content-Type must be application/json, application/x-www-form-urlencoded or multipart/form-data")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: settings.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw IngestError(.contentTooLarge, "the body is larger than \(settings.maxBodyBytes) bytes")
        }
        let raw = try LeadFormParser.fields(body, format: format)
        let vendor = try await authenticate(request.headers, raw)
        let submission = try LeadValidator.validate(raw, vendorID: vendor.id, receivedAt: Date())
        guard let accepted = try await leads.accept([submission], dayTimeZone: settings.timeZone).first else {
            throw IngestError(.internalServerError, "the lead was not committed")
        }
        if accepted.status == .queued { delivery?.wake() }
        return accepted
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
