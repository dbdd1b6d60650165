import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

/// No secret — CRM key, vendor key, bearer token — is ever shown again or stored in plain text.
@Suite struct SecretExposureTests {
    @Test func noSecretInAnyResponseOrInTheDatabaseFile() async throws {
        let service = try TestService()
        let secrets = try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let vendor = try await client.send(.post, "/v1/vendors", token: token, json: #"{"id":"realtor","name":"Realtor"}"#)
            let newToken = try await client.send(.post, "/v1/tokens", token: token, json: #"{"name":"ops","role":"admin"}"#)
            _ = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"api_key":"bb-user-key-jane-rotated-7777"}"#)
            let secrets = [SamplePolicy.adminKey, SamplePolicy.janeKey, SamplePolicy.bobKey, "bb-user-key-jane-rotated-7777",
                           try #require(vendor["api_key"]?.stringValue), try #require(newToken["token"]?.stringValue),
                           service.adminToken, service.auditorToken]

            var shown = ""
            for uri in ["/v1/accounts", "/v1/accounts/acme", "/v1/agents", "/v1/agents/jane", "/v1/agents/bob", "/v1/pools",
                        "/v1/rules", "/v1/vendors", "/v1/vendors/realtor", "/v1/tokens", "/v1/policy", "/v1/audit-events?limit=500",
                        "/metrics", "/readyz"] {
                shown += try await client.send(.get, uri, token: token).text
            }
            for secret in secrets {
                #expect(!shown.contains(secret), "a response shows \(secret.prefix(6))…")
                #expect(!shown.contains(String(secret.dropLast(4).suffix(8))), "a response shows part of \(secret.prefix(6))…")
            }
            return secrets
        }
        let bytes = service.databaseBytes()
        #expect(!bytes.isEmpty)
        for secret in secrets {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the database holds \(secret.prefix(6))… in plain text")
        }
    }
}
