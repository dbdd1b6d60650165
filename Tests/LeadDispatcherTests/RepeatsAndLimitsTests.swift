import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import NIOCore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// Nothing duplicated: idempotent repeats, duplicate leads inside a vendor's window, and vendors'
/// rate limits.
@Suite struct RepeatsAndLimitsTests {
    static func post(_ client: any TestClientProtocol, _ body: String, idempotencyKey: String? = nil) async throws -> JSONTestResponse {
        var headers: HTTPFields = [:]
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        return try await client.send(.post, "/clientapi/lead-import", json: body, headers: headers)
    }

    @Test func aRepeatedIdempotencyKeyAnswersTheFirstLeadAndRoutesNothing() async throws {
        try await IngestTests.withVendor { client, key, service in
            let body = #"{"api_key":"\#(key)","fname":"Pat","email":"pat@example.com","tags":"buyer"}"#
            let first = try await Self.post(client, body, idempotencyKey: "order-1001")
            #expect(first.status == .ok)
            #expect(first["duplicate"] == nil)
            let again = try await Self.post(client, body, idempotencyKey: "order-1001")
            #expect(again.status == .ok)
            #expect(again["lead_id"] == first["lead_id"])
            #expect(again["duplicate"] == .bool(true))
            #expect(try await service.store?.leadCounts().leads == 1)
            #expect(try await service.store?.leadCounts().outbox == 1)

            let different = try await Self.post(client, #"{"api_key":"\#(key)","fname":"Kim"}"#, idempotencyKey: "order-1001")
            #expect(different.status == .conflict)
            #expect(different["success"] == .bool(false))
            #expect(different.error?.contains("Idempotency-Key") == true)
            // Another key is another lead.
            #expect(try await Self.post(client, body, idempotencyKey: "order-1002")["lead_id"] != first["lead_id"])
            let bad = try await Self.post(client, body, idempotencyKey: String(repeating: "k", count: 300))
            #expect(bad.status == .badRequest)
        }
    }

    @Test func concurrentRepeatsCreateExactlyOneLead() async throws {
        try await IngestTests.withVendor { client, key, service in
            let body = #"{"api_key":"\#(key)","fname":"Pat","tags":"buyer"}"#
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await Self.post(client, body, idempotencyKey: "same")["lead_id"]?.stringValue ?? "" }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await service.store?.leadCounts().leads == 1)
        }
    }

    @Test func theSameEmailAndCampaignInsideTheDedupeWindowIsADuplicate() async throws {
        try await IngestTests.withVendor { client, key, service in
            _ = try await client.send(.patch, "/v1/vendors/zillow", token: service.adminToken, json: #"{"dedupe_window_minutes":60}"#)
            let first = try await Self.post(client, #"{"api_key":"\#(key)","fname":"Pat","email":"pat@example.com","campaign_id":"spring","tags":"buyer"}"#)
            let repeatLead = try await Self.post(client, #"{"api_key":"\#(key)","fname":"Pat L.","email":"PAT@example.com","campaign_id":"spring","tags":"buyer"}"#)
            #expect(repeatLead["lead_id"] == first["lead_id"])
            #expect(repeatLead["duplicate"] == .bool(true))
            // The first lead's own status, as a repeated Idempotency-Key answers: the vendor learns what became of it.
            #expect(repeatLead["status"] == .string("queued"))
            #expect(repeatLead["status"] == first["status"])
            // Another campaign, or no email, is a new lead.
            let other = try await Self.post(client, #"{"api_key":"\#(key)","fname":"Pat","email":"pat@example.com","campaign_id":"fall"}"#)
            #expect(other["duplicate"] == nil)
            let counts = try #require(try await service.store?.leadCounts())
            #expect(counts.leads == 3)
            #expect(counts.outbox == 1)
            let duplicates = try await client.send(.get, "/v1/leads?status=duplicate", token: service.auditorToken)
            #expect(duplicates.items.count == 1)
            let events = try await client.send(.get, "/v1/audit-events?type=lead.duplicate", token: service.auditorToken)
            #expect(events.items.count == 1)
        }
    }

    @Test func aVendorOverItsRateGets429WithRetryAfter() async throws {
        try await IngestTests.withVendor { client, key, service in
            _ = try await client.send(.patch, "/v1/vendors/zillow", token: service.adminToken, json: #"{"rate_limit_per_minute":3}"#)
            var statuses: [HTTPResponse.Status] = []
            var limited: JSONTestResponse?
            for index in 0..<5 {
                let response = try await Self.post(client, #"{"api_key":"\#(key)","fname":"L\#(index)"}"#)
                statuses.append(response.status)
                if response.status == .tooManyRequests { limited = response }
            }
            #expect(statuses == [.ok, .ok, .ok, .tooManyRequests, .tooManyRequests])
            let refused = try #require(limited)
            #expect(refused["success"] == .bool(false))
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await service.store?.leadCounts().leads == 3)
            // Another vendor is not affected.
            let other = try await client.send(.post, "/v1/vendors", token: service.adminToken, json: #"{"id":"other","name":"Other"}"#)
            let otherKey = try #require(other["api_key"]?.stringValue)
            #expect(try await Self.post(client, #"{"api_key":"\#(otherKey)","fname":"X"}"#).status == .ok)
        }
    }
}
