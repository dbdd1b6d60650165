import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import NIOCore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// Leads delivered to a loopback stand-in for Buying Buddy, through every failure it can stage.
@Suite(.serialized) struct DeliveryTests {
    /// A running dispatcher with the sample policy, delivering to `crm`, and a vendor key.
    static func withDispatcher(crmURL: String, configure: (inout DispatcherSettings) -> Void = { _ in },
                               _ body: @Sendable (Harness) async throws -> Void) async throws {
        let service = try TestService()
        service.settings.crmURL = crmURL
        service.settings.retryInitialDelay = 0.02
        service.settings.retryMaxDelay = 0.05
        service.settings.maxAttempts = 6
        configure(&service.settings)
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            _ = try await client.send(.post, "/v1/rules", token: service.adminToken,
                                      json: #"{"id":"vip","name":"VIP to the CRM round robin","priority":1,"match":{"tags_any":["vip"]},"action":{"type":"crm_round_robin","account_id":"acme"}}"#)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
            try await body(Harness(client: client, vendorKey: key, service: service))
        }
    }

    struct Harness: Sendable {
        let client: any TestClientProtocol
        let vendorKey: String
        let service: TestService

        func post(_ fields: String) async throws -> String {
            let response = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(vendorKey)",\#(fields)}"#)
            #expect(response.status == .ok, "\(response.text)")
            return response["lead_id"]?.stringValue ?? ""
        }

        /// The lead once its status is one of `statuses`.
        func waitFor(_ id: String, _ statuses: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONTestResponse {
            var lead = try await client.send(.get, "/v1/leads/\(id)", token: service.auditorToken)
            try await waitUntil("lead \(id) is \(statuses.sorted().joined(separator: " or "))", sourceLocation: sourceLocation) {
                lead = try await client.send(.get, "/v1/leads/\(id)", token: service.auditorToken)
                return statuses.contains(lead["status"]?.stringValue ?? "")
            }
            return lead
        }
    }

    static func attempts(_ lead: JSONTestResponse) -> [[String: JSONValue]] {
        guard case .array(let items)? = lead["delivery_attempts"] else { return [] }
        return items.compactMap(\.objectValue)
    }

    /// `deliveryConcurrency` bounds the requests waiting on the CRM at once, and is used: a slot is
    /// freed when the CRM answers, while the attempt's record commits behind it. Above the HTTP client's
    /// default of 8 connections per host, every delivery in flight still has a connection of its own
    /// rather than queueing behind the first 8.
    @Test(arguments: [(concurrency: 2, leads: 8, answerSeconds: 0.15), (concurrency: 12, leads: 24, answerSeconds: 1.0)])
    func deliveriesInFlightNeverExceedTheConcurrencyAndFillIt(concurrency: Int, leads: Int, answerSeconds: Double) async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(otherwise: .slow(seconds: answerSeconds))
        try await Self.withDispatcher(crmURL: server.url, configure: { $0.deliveryConcurrency = concurrency }) { harness in
            var ids: [String] = []
            for index in 0..<leads {
                ids.append(try await harness.post(#""fname":"Lead \#(index)","email":"c\#(index)@example.com","tags":"vip""#))
            }
            for id in ids { _ = try await harness.waitFor(id, ["delivered"]) }
            #expect(await server.crm.received.count == leads)
            #expect(await server.crm.maxInFlight == concurrency)
        }
        await server.stop()
    }

    @Test func aRoutedLeadReachesTheCRMWithTheChosenAgentsKeyAndEveryField() async throws {
        let server = try await StandInServer.start()
        try await Self.withDispatcher(crmURL: server.url) { harness in
            let id = try await harness.post(#""fname":"Pat","email":"pat@example.com","tags":"buyer, first-time","custom_field":"kept","rating":5"#)
            let lead = try await harness.waitFor(id, ["delivered"])
            #expect(lead["attempts"] == .number(1))
            let received = try #require(await server.crm.received.last)
            #expect(received.apiKey == SamplePolicy.bobKey)
            #expect(received.contentType.hasPrefix("application/json"))
            #expect(received.fields["fname"] == .string("Pat"))
            #expect(received.fields["custom_field"] == .string("kept"))
            #expect(received.fields["rating"] == .number(5))
            #expect(received.fields["tags"] == .string("buyer, first-time"))
            let attempt = try #require(Self.attempts(lead).first)
            #expect(attempt["http_status"] == .number(200))
            #expect(attempt["crm_success"] == .bool(true))
            #expect(attempt["error"] == .null)
        }
        await server.stop()
    }

    @Test func crmRoundRobinDeliversWithTheAccountsAdminKey() async throws {
        let server = try await StandInServer.start()
        try await Self.withDispatcher(crmURL: server.url) { harness in
            let id = try await harness.post(#""fname":"Vip","tags":["vip"]"#)
            let lead = try await harness.waitFor(id, ["delivered"])
            #expect(lead["target"] == .object(["kind": .string("admin"), "account_id": .string("acme")]))
            #expect(await server.crm.received.last?.apiKey == SamplePolicy.adminKey)
            #expect(await server.crm.received.last?.fields["tags"] == .string("vip"))
        }
        await server.stop()
    }

    @Test(arguments: [DeliveryFormat.form, .multipart])
    func deliversAsAFormWhenConfigured(format: DeliveryFormat) async throws {
        let server = try await StandInServer.start()
        try await Self.withDispatcher(crmURL: server.url, configure: { $0.deliveryFormat = format }) { harness in
            let id = try await harness.post(#""fname":"Pat O'Neil","email":"pat+x@example.com","tags":["buyer","a&b"],"zip":90210"#)
            _ = try await harness.waitFor(id, ["delivered"])
            let received = try #require(await server.crm.received.last)
            #expect(received.contentType.hasPrefix(format == .form ? "application/x-www-form-urlencoded" : "multipart/form-data"))
            #expect(received.fields["fname"] == .string("Pat O'Neil"))
            #expect(received.fields["email"] == .string("pat+x@example.com"))
            #expect(received.fields["tags"] == .string("buyer,a&b"))
            #expect(received.fields["zip"] == .string("90210"))
            #expect(received.apiKey == SamplePolicy.bobKey)
        }
        await server.stop()
    }

    @Test func threeServerErrorsThenSuccess() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(.fail(status: 500), .fail(status: 502), .fail(status: 503))
        try await Self.withDispatcher(crmURL: server.url) { harness in
            let lead = try await harness.waitFor(try await harness.post(#""fname":"Pat","tags":"buyer""#), ["delivered"])
            let attempts = Self.attempts(lead)
            #expect(attempts.map { $0["http_status"] } == [.number(500), .number(502), .number(503), .number(200)])
            #expect(attempts.prefix(3).allSatisfy { $0["error"] == .string("http_5xx") })
            #expect(lead["attempts"] == .number(4))
        }
        await server.stop()
    }

    @Test func honoursRetryAfterCappedAtTheMaximumDelay() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(.tooManyRequests(retryAfter: "1"), .tooManyRequests(retryAfter: "3600"))
        try await Self.withDispatcher(crmURL: server.url, configure: { $0.retryMaxDelay = 1.5 }) { harness in
            _ = try await harness.waitFor(try await harness.post(#""fname":"Pat""#), ["unrouted"])
            let id = try await harness.post(#""fname":"Pat","tags":"buyer""#)
            let lead = try await harness.waitFor(id, ["delivered"])
            let received = await server.crm.received
            #expect(received.count == 3)
            #expect(received[1].at.timeIntervalSince(received[0].at) >= 0.9)
            // 3600 s is capped at retryMaxDelay (1.5 s).
            #expect(received[2].at.timeIntervalSince(received[1].at) < 3)
            #expect(Self.attempts(lead).first?["error"] == .string("http_429"))
        }
        await server.stop()
    }

    @Test func aRejectingCRMMakesTheLeadDeadThenRedeliveryDeliversIt() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(otherwise: .reject)
        try await Self.withDispatcher(crmURL: server.url, configure: { $0.maxRejections = 2 }) { harness in
            let id = try await harness.post(#""fname":"Pat","tags":"buyer""#)
            let dead = try await harness.waitFor(id, ["dead"])
            // The first rejection and two retries.
            #expect(Self.attempts(dead).count == 3)
            #expect(Self.attempts(dead).allSatisfy { $0["crm_success"] == .bool(false) && $0["error"] == .string("crm_rejected") })

            let early = try await harness.client.send(.post, "/v1/leads/\(id)/reroute", token: harness.service.adminToken)
            #expect(early.status == .conflict)
            await server.crm.answer(otherwise: .succeed)
            let redelivered = try await harness.client.send(.post, "/v1/leads/\(id)/redeliver", token: harness.service.adminToken)
            #expect(redelivered.status == .ok, "\(redelivered.text)")
            let delivered = try await harness.waitFor(id, ["delivered"])
            #expect(Self.attempts(delivered).count == 4)
            #expect(delivered["attempts"] == .number(4))
        }
        await server.stop()
    }

    @Test func aSlowAnswerTimesOutAndIsRetried() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(.slow(seconds: 1.5))
        try await Self.withDispatcher(crmURL: server.url, configure: { $0.deliveryTimeout = 0.3 }) { harness in
            let lead = try await harness.waitFor(try await harness.post(#""fname":"Pat","tags":"buyer""#), ["delivered"])
            let attempts = Self.attempts(lead)
            #expect(attempts.first?["error"] == .string("timeout"))
            #expect(attempts.first?["http_status"] == .null)
            #expect(attempts.last?["crm_success"] == .bool(true))
        }
        await server.stop()
    }

    @Test func droppedConnectionsAreRetriedUntilDead() async throws {
        let dropping = try await DroppingServer()
        try await Self.withDispatcher(crmURL: dropping.url, configure: { $0.maxAttempts = 3 }) { harness in
            let lead = try await harness.waitFor(try await harness.post(#""fname":"Pat","tags":"buyer""#), ["dead"])
            let attempts = Self.attempts(lead)
            #expect(attempts.count == 3)
            #expect(attempts.allSatisfy { $0["error"] == .string("connection") && $0["http_status"] == .null })
            // What failed, and where: enough to tell a refused connection from a dropped one.
            let host = try #require(URLComponents(string: dropping.url)).port.map { "127.0.0.1:\($0)" } ?? ""
            #expect(attempts.allSatisfy { $0["detail"]?.stringValue?.contains(host) == true }, "\(attempts)")
        }
        await dropping.stop()
    }

    @Test func aNonJSONAnswerIsNotASuccess() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(.notJSON)
        try await Self.withDispatcher(crmURL: server.url) { harness in
            let lead = try await harness.waitFor(try await harness.post(#""fname":"Pat","tags":"buyer""#), ["delivered"])
            #expect(Self.attempts(lead).first?["error"] == .string("malformed_response"))
        }
        await server.stop()
    }

    @Test func anAccountsOwnCRMURLOverridesTheDefault() async throws {
        let server = try await StandInServer.start()
        try await Self.withDispatcher(crmURL: "http://127.0.0.1:9/nowhere") { harness in
            let patched = try await harness.client.send(.patch, "/v1/accounts/acme", token: harness.service.adminToken, json: #"{"crm_url":"\#(server.url)"}"#)
            #expect(patched.status == .ok)
            _ = try await harness.waitFor(try await harness.post(#""fname":"Pat","tags":"buyer""#), ["delivered"])
            let refused = try await harness.client.send(.patch, "/v1/accounts/acme", token: harness.service.adminToken, json: #"{"crm_url":"http://crm.example.com/x"}"#)
            #expect(refused.status == .badRequest)
            #expect(refused.field == "crm_url")
        }
        await server.stop()
    }

    @Test func theCRMDownWhileLeadsArriveThenBack() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(otherwise: .fail(status: 503))
        try await Self.withDispatcher(crmURL: server.url, configure: { $0.maxAttempts = 1000 }) { harness in
            var ids: [String] = []
            for index in 0..<10 {
                ids.append(try await harness.post(#""fname":"Lead \#(index)","tags":"buyer""#))
            }
            try await waitUntil("every lead was tried while the CRM was down") { await server.crm.received.count >= ids.count }
            await server.crm.answer(otherwise: .succeed)
            for id in ids {
                _ = try await harness.waitFor(id, ["delivered"])
            }
            let keys = await server.crm.received.filter { $0.fields["fname"]?.stringValue?.hasPrefix("Lead") == true && $0.apiKey != nil }
            #expect(Set(keys.compactMap { $0.fields["fname"]?.stringValue }).count == 10)
        }
        await server.stop()
    }

    @Test func unroutedLeadsAreNeverDeliveredUntilRerouted() async throws {
        let server = try await StandInServer.start()
        try await Self.withDispatcher(crmURL: server.url) { harness in
            let id = try await harness.post(#""fname":"Seller","tags":"seller""#)
            // A routed lead after it, delivered: the worker has been past the unrouted one, and left it.
            _ = try await harness.waitFor(try await harness.post(#""fname":"Buyer","tags":"buyer""#), ["delivered"])
            #expect(await server.crm.received.map { $0.fields["fname"]?.stringValue } == ["Buyer"])
            _ = try await harness.client.send(.post, "/v1/rules", token: harness.service.adminToken,
                                              json: #"{"id":"rest","name":"Rest","priority":100,"action":{"type":"crm_round_robin","account_id":"acme"}}"#)
            let rerouted = try await harness.client.send(.post, "/v1/leads/\(id)/reroute", token: harness.service.adminToken)
            #expect(rerouted["status"] == .string("queued"))
            _ = try await harness.waitFor(id, ["delivered"])
            #expect(await server.crm.received.last?.apiKey == SamplePolicy.adminKey)
        }
        await server.stop()
    }

    @Test func aFailingHostOpensItsCircuitAndAProbeClosesIt() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(otherwise: .fail(status: 503))
        try await Self.withDispatcher(crmURL: server.url, configure: {
            $0.maxAttempts = 1000
            $0.circuitThreshold = 3
            // Long enough that the checks below run inside it however busy the machine.
            $0.circuitCoolDown = 3
        }) { harness in
            let id = try await harness.post(#""fname":"Pat","tags":"buyer""#)
            var ready = try await harness.client.send(.get, "/readyz")
            try await waitUntil("the circuit opens") {
                ready = try await harness.client.send(.get, "/readyz")
                return ready["delivery"]?.objectValue?["status"] == .string("degraded")
            }
            // Three failures opened the circuit: the CRM is left alone during the cool-down.
            let hits = await server.crm.received.count
            #expect(hits == 3)
            #expect(ready.status == .ok)
            let delivery = ready["delivery"]?.objectValue
            #expect(delivery?["status"] == .string("degraded"))
            #expect(delivery?["circuits"] == .array([.object([
                "circuit": .string("host:127.0.0.1:\(server.port)"), "state": .string("open"),
                "since": delivery?["circuits"].flatMap { if case .array(let items) = $0 { items.first?.objectValue?["since"] } else { nil } } ?? .null,
            ])]))
            let metrics = try await harness.client.send(.get, "/metrics")
            #expect(metrics.text.contains("dispatcher_circuit_open"))
            // The CRM recovers; the probe after the cool-down succeeds and closes the circuit.
            await server.crm.answer(otherwise: .succeed)
            let lead = try await harness.waitFor(id, ["delivered"])
            #expect(Self.attempts(lead).count == 4)
            #expect(try await harness.client.send(.get, "/readyz")["delivery"]?.objectValue?["status"] == .string("ok"))
        }
        await server.stop()
    }
}
