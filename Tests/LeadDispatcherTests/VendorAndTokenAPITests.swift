import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

@Suite struct VendorAPITests {
    @Test func createReturnsTheKeyOnceAndThenOnlyItsMask() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            let created = try await client.send(.post, "/v1/vendors", token: token, json: #"{"name":"Realtor Leads","rate_limit_per_minute":120}"#)
            #expect(created.status == .created)
            #expect(created["id"] == .string("realtor-leads"))
            let key = try #require(created["api_key"]?.stringValue)
            #expect(key.hasPrefix("ldv_") && key.count > 40)
            let shown = try await client.send(.get, "/v1/vendors/realtor-leads", token: token)
            #expect(shown["api_key"] == .string("••••" + key.suffix(4)))
            #expect(shown["rate_limit_per_minute"] == .number(120))
            #expect(shown["dedupe_window_minutes"] == .number(0))
            let list = try await client.send(.get, "/v1/vendors", token: token)
            #expect(!list.text.contains(key))
            #expect(list.items.count == 1)
        }
    }

    @Test func patchRotateAndDelete() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            let created = try await client.send(.post, "/v1/vendors", token: token, json: #"{"id":"zillow","name":"Zillow"}"#)
            let oldKey = try #require(created["api_key"]?.stringValue)
            let patched = try await client.send(.patch, "/v1/vendors/zillow", token: token, json: #"{"dedupe_window_minutes":60,"rate_limit_per_minute":null}"#)
            #expect(patched.status == .ok)
            #expect(patched["dedupe_window_minutes"] == .number(60))
            #expect(patched["rate_limit_per_minute"] == .null)
            #expect(patched["name"] == .string("Zillow"))
            let rotated = try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: token)
            let newKey = try #require(rotated["api_key"]?.stringValue)
            #expect(newKey != oldKey)
            #expect(try await client.send(.get, "/v1/vendors/zillow", token: token)["api_key"] == .string("••••" + newKey.suffix(4)))
            #expect(try await client.send(.delete, "/v1/vendors/zillow", token: token).status == .noContent)
            #expect(try await client.send(.get, "/v1/vendors/zillow", token: token).status == .notFound)
        }
    }

    /// Ingest keeps vendors in memory by key; every change must reach it at once.
    @Test func ingestFollowsEveryVendorChangeAtOnce() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            func post(_ key: String, _ email: String) async throws -> HTTPResponse.Status {
                try await IngestTests.post(client, body: #"{"api_key":"\#(key)","fname":"Pat","email":"\#(email)"}"#, contentType: "application/json").status
            }
            let created = try await client.send(.post, "/v1/vendors", token: token, json: #"{"id":"zillow","name":"Zillow"}"#)
            let oldKey = try #require(created["api_key"]?.stringValue)
            #expect(try await post(oldKey, "a@example.com") == .ok)
            // A limit set now applies to the very next lead.
            _ = try await client.send(.patch, "/v1/vendors/zillow", token: token, json: #"{"rate_limit_per_minute":1}"#)
            #expect(try await post(oldKey, "b@example.com") == .ok)
            #expect(try await post(oldKey, "c@example.com") == .tooManyRequests)
            _ = try await client.send(.patch, "/v1/vendors/zillow", token: token, json: #"{"rate_limit_per_minute":null}"#)
            #expect(try await post(oldKey, "d@example.com") == .ok)
            // A rotated key replaces the old one at once.
            let newKey = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: token)["api_key"]?.stringValue)
            #expect(try await post(oldKey, "e@example.com") == .unauthorized)
            #expect(try await post(newKey, "f@example.com") == .ok)
            // A deleted vendor's key stops working at once.
            #expect(try await client.send(.delete, "/v1/vendors/zillow", token: token).status == .noContent)
            #expect(try await post(newKey, "g@example.com") == .unauthorized)
        }
    }

    @Test func refusesBadVendorFields() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            for (body, field) in [
                (#"{"id":"v"}"#, "name"),
                (#"{"name":"V","rate_limit_per_minute":0}"#, "rate_limit_per_minute"),
                (#"{"name":"V","rate_limit_per_minute":"fast"}"#, "rate_limit_per_minute"),
                (#"{"name":"V","dedupe_window_minutes":-5}"#, "dedupe_window_minutes"),
                (#"{"name":"V","api_key":"mine"}"#, "api_key"),
                (#"{"id":"V V","name":"V"}"#, "id"),
            ] {
                let response = try await client.send(.post, "/v1/vendors", token: token, json: body)
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect(response.field == field, "\(body): \(response.text)")
            }
            _ = try await client.send(.post, "/v1/vendors", token: token, json: #"{"id":"v","name":"V"}"#)
            let patchKey = try await client.send(.patch, "/v1/vendors/v", token: token, json: #"{"api_key":"mine"}"#)
            #expect(patchKey.status == .badRequest)
            #expect(patchKey.field == "api_key")
        }
    }
}

@Suite struct TokenAPITests {
    @Test func createShowsTheTokenOnceAndListsWithoutSecrets() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            let created = try await client.send(.post, "/v1/tokens", token: token, json: #"{"name":"Carol (audit)","role":"auditor"}"#)
            #expect(created.status == .created)
            #expect(Set(created.object.keys) == ["id", "name", "role", "created_at", "revoked_at", "token"])
            #expect(created["role"] == .string("auditor"))
            let secret = try #require(created["token"]?.stringValue)
            let list = try await client.send(.get, "/v1/tokens", token: token)
            #expect(list.items.count == 3)
            #expect(!list.text.contains(secret))
            #expect(!list.text.contains(service.adminToken))
            #expect(!list.text.contains("token\""))
            let renamed = try await client.send(.patch, "/v1/tokens/carol-audit", token: token, json: #"{"name":"Carol"}"#)
            #expect(renamed["name"] == .string("Carol"))
            #expect(try await client.send(.delete, "/v1/tokens/carol-audit", token: token).status == .noContent)
            #expect(try await client.send(.get, "/v1/tokens/carol-audit", token: token)["revoked_at"]?.stringValue != nil)
        }
    }

    @Test func refusesBadTokenRequests() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            for (body, field) in [(#"{"name":"x"}"#, "role"), (#"{"name":"x","role":"root"}"#, "role"),
                                  (#"{"name":7,"role":"admin"}"#, "name"), (#"{"name":"x","role":"admin","token":"mine"}"#, "token")] {
                let response = try await client.send(.post, "/v1/tokens", token: token, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.field == field, "\(body): \(response.text)")
            }
            let patch = try await client.send(.patch, "/v1/tokens/test-auditor", token: token, json: #"{"role":"admin"}"#)
            #expect(patch.status == .badRequest)
            #expect(patch.field == "role")
        }
    }
}
