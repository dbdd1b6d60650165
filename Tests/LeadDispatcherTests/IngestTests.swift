import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import MultipartKit
import NIOCore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// `POST /clientapi/lead-import` in each format, and each refusal.
@Suite struct IngestTests {
    /// A service with the sample policy, a vendor, and deliveries pointed at nothing (these tests
    /// look at what is committed, not at delivery).
    static func withVendor(_ body: @Sendable (any TestClientProtocol, _ vendorKey: String, _ service: TestService) async throws -> Void) async throws {
        let service = try TestService()
        service.settings.crmURL = "http://127.0.0.1:9/clientapi/lead-import"
        service.settings.retryInitialDelay = 60
        service.settings.retryMaxDelay = 60
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
            try await body(client, key, service)
        }
    }

    static func post(_ client: any TestClientProtocol, body: String, contentType: String, bearer: String? = nil) async throws -> JSONTestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        let response = try await client.execute(uri: "/clientapi/lead-import", method: .post, headers: headers, body: ByteBuffer(string: body))
        return JSONTestResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    @Test func acceptsJSON() async throws {
        try await Self.withVendor { client, key, service in
            let response = try await Self.post(client, body: #"{"api_key":"\#(key)","fname":"Pat","lname":"Lee","email":"pat@example.com","tags":["Buyer","first-time"],"site_url":"https://x.example","rating":4}"#,
                                               contentType: "application/json")
            #expect(response.status == .ok, "\(response.text)")
            #expect(response["success"] == .bool(true))
            #expect(response["status"] == .string("queued"))
            let id = try #require(response["lead_id"]?.stringValue)
            let lead = try await client.send(.get, "/v1/leads/\(id)", token: service.auditorToken)
            #expect(lead["rule_id"] == .string("zillow-buyers"))
            // Bob has weight 3 to Jane's 1: the smooth round robin starts with him.
            #expect(lead["target"] == .object(["kind": .string("agent"), "agent_id": .string("bob"), "account_id": .string("acme")]))
            #expect(lead["tags"] == .array([.string("Buyer"), .string("first-time")]))
            #expect(lead["vendor_id"] == .string("zillow"))
            guard case .object(let fields)? = lead["fields"] else { Issue.record("no fields"); return }
            #expect(fields["site_url"] == .string("https://x.example"))
            #expect(fields["rating"] == .number(4))
            #expect(fields["api_key"] == nil)
            #expect(!lead.text.contains(key))
            // The vendor's key is not stored with the lead either: the database holds only its hash.
            #expect(service.databaseBytes().range(of: Data(key.utf8)) == nil)
        }
    }

    @Test func acceptsAURLEncodedForm() async throws {
        try await Self.withVendor { client, key, service in
            let body = "api_key=\(key)&name=Pat+O%27Neil&email=pat%40example.com&tags=buyer,%20luxury&campaign_id=spring"
            let response = try await Self.post(client, body: body, contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .ok, "\(response.text)")
            let lead = try await client.send(.get, "/v1/leads/\(response["lead_id"]?.stringValue ?? "")", token: service.adminToken)
            #expect(lead["tags"] == .array([.string("buyer"), .string("luxury")]))
            #expect(lead["campaign_id"] == .string("spring"))
            #expect(lead["fields"]?.objectValue?["name"] == .string("Pat O'Neil"))
        }
    }

    @Test func acceptsMultipartAsPHPCurlSendsIt() async throws {
        try await Self.withVendor { client, key, service in
            let boundary = "------------------------d74496d66958873e"
            var parts: [MultipartPart] = []
            for (name, value) in [("api_key", key), ("fname", "Pat"), ("email", "pat@example.com"), ("tags[]", "buyer"), ("tags[]", "vip"), ("welcome_email", "0")] {
                var headers = HTTPHeaders()
                headers.add(name: "Content-Disposition", value: "form-data; name=\"\(name)\"")
                parts.append(MultipartPart(headers: headers, body: value))
            }
            let body = try MultipartSerializer().serialize(parts: parts, boundary: boundary)
            let response = try await Self.post(client, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(response.status == .ok, "\(response.text)")
            let lead = try await client.send(.get, "/v1/leads/\(response["lead_id"]?.stringValue ?? "")", token: service.adminToken)
            #expect(lead["tags"] == .array([.string("buyer"), .string("vip")]))
            #expect(lead["fields"]?.objectValue?["welcome_email"] == .string("0"))
            #expect(lead["rule_id"] == .string("zillow-buyers"))
        }
    }

    @Test func acceptsTheVendorKeyAsABearerToken() async throws {
        try await Self.withVendor { client, key, _ in
            let response = try await Self.post(client, body: #"{"fname":"Pat"}"#, contentType: "application/json", bearer: key)
            #expect(response.status == .ok)
            #expect(response["status"] == .string("unrouted"))
        }
    }

    @Test func refusesWithAnErrorNamingTheProblemAndLeavesNoTrace() async throws {
        try await Self.withVendor { client, key, service in
            // Each refusal names its field the way admin errors do (`field`), or none for the body as a whole.
            let cases: [(String, String, HTTPResponse.Status, String, String?)] = [
                (#"{"fname":"Pat"}"#, "text/plain", .unsupportedMediaType, "Content-Type", "Content-Type"),
                (#"{"api_key":"ldv_wrong","fname":"Pat"}"#, "application/json", .unauthorized, "api_key", "api_key"),
                (#"{"fname":"Pat"}"#, "application/json", .unauthorized, "api_key", "api_key"),
                (#"{"api_key":"\#(key)","email":"pat@example.com"}"#, "application/json", .badRequest, "name", "name"),
                (#"{"api_key":"\#(key)","fname":"  "}"#, "application/json", .badRequest, "name", "name"),
                (#"{"api_key":"\#(key)","fname":"Pat","email":"pat at example"}"#, "application/json", .badRequest, "email", "email"),
                (#"{"api_key":"\#(key)","fname":"Pat","notes":{"a":1}}"#, "application/json", .badRequest, "notes", "notes"),
                (#"{"api_key":"\#(key)","fname":"Pat","tags":[1,2]}"#, "application/json", .badRequest, "tags", "tags[0]"),
                // Buying Buddy splits tags on commas: a comma inside one would be delivered as two.
                (#"{"api_key":"\#(key)","fname":"Pat","tags":["buyer","a,b"]}"#, "application/json", .badRequest, "comma", "tags[1]"),
                (#"{"api_key":"\#(key)","fname":"Pat","rating":true}"#, "application/json", .badRequest, "rating", "rating"),
                (#"{"api_key":"\#(key)","fname":"Pat""#, "application/json", .badRequest, "JSON", nil),
                (#"["not","an","object"]"#, "application/json", .badRequest, "object", nil),
                ("api_key=\(key)&fname=%E0%A4%A", "application/x-www-form-urlencoded", .badRequest, "percent-encoding", nil),
                ("x", "multipart/form-data", .badRequest, "boundary", nil),
            ]
            for (body, contentType, status, mention, field) in cases {
                let response = try await Self.post(client, body: body, contentType: contentType)
                #expect(response.status == status, "\(body): \(response.text)")
                #expect(response["success"] == .bool(false))
                #expect(response.error?.contains(mention) == true, "\(body): \(response.text)")
                #expect(response.field == field, "\(body): \(response.text)")
            }
            // The address is not repeated in the answer (nor, so, in the refusal's log line).
            let badEmail = try await Self.post(client, body: #"{"api_key":"\#(key)","fname":"Pat","email":"pat at example"}"#, contentType: "application/json")
            #expect(badEmail.error?.contains("pat at example") == false)
            #expect(try await service.store?.leadCounts().leads == 0)
            // Tags without commas inside are accepted as an array.
            let listed = try await Self.post(client, body: #"{"api_key":"\#(key)","fname":"Pat","tags":["buyer","first-time"]}"#, contentType: "application/json")
            #expect(listed.status == .ok)
            #expect(try await service.store?.leadCounts().leads == 1)
            let large = #"{"api_key":"\#(key)","fname":"Pat","notes":"\#(String(repeating: "x", count: 70_000))"}"#
            let tooLarge = try await Self.post(client, body: large, contentType: "application/json")
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge["success"] == .bool(false))

            #expect(try await service.store?.leadCounts().leads == 1)
        }
    }

    @Test func fortyConcurrentLeadsOverWeightsThreeToOneGiveExactlyThirtyAndTen() async throws {
        try await Self.withVendor { client, key, service in
            _ = try await client.send(.patch, "/v1/agents/bob", token: service.adminToken, json: #"{"daily_cap":null}"#)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let response = try await Self.post(client, body: #"{"api_key":"\#(key)","fname":"Lead \#(index)","tags":"buyer"}"#,
                                                           contentType: "application/json")
                        return response["lead_id"]?.stringValue ?? ""
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            var counts: [String: Int] = [:]
            for id in ids {
                let lead = try await client.send(.get, "/v1/leads/\(id)", token: service.adminToken)
                counts[lead["target"]?.objectValue?["agent_id"]?.stringValue ?? "-", default: 0] += 1
            }
            #expect(counts == ["bob": 30, "jane": 10])
        }
    }
}
