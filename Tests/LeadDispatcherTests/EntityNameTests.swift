import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

/// A name is what people read in lists, logs and exports: trimmed, never blank, no control characters,
/// on every path that writes one.
@Suite struct EntityNameTests {
    static let badNames: [(json: String, why: String)] = [
        (#""""#, "empty"), (#""   ""#, "empty"), (#""a\u0002b""#, "control"), (#""two\rlines""#, "control"),
        (#""nul\u0000""#, "control"), (#""tab\there""#, "control"), (#""line\u2028break""#, "control"),
    ]

    @Test func everyPathThatWritesANameRefusesABadOne() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let before = try await client.send(.get, "/v1/policy", token: token).json
            for (name, why) in Self.badNames {
                let writes: [(HTTPRequest.Method, String, String, String)] = [
                    (.post, "/v1/pools", #"{"name":\#(name),"members":[]}"#, "name"),
                    (.post, "/v1/accounts", #"{"name":\#(name),"admin_api_key":"bb-key-0123456789"}"#, "name"),
                    (.patch, "/v1/agents/jane", #"{"name":\#(name)}"#, "name"),
                    (.patch, "/v1/rules/zillow-buyers", #"{"name":\#(name)}"#, "name"),
                    (.put, "/v1/policy", #"{"accounts":[],"agents":[],"pools":[{"id":"p","name":\#(name),"members":[]}],"rules":[]}"#, "pools[0].name"),
                    (.post, "/v1/vendors", #"{"name":\#(name)}"#, "name"),
                    (.patch, "/v1/vendors/zillow", #"{"name":\#(name)}"#, "name"),
                    (.post, "/v1/tokens", #"{"name":\#(name),"role":"auditor"}"#, "name"),
                ]
                for (method, uri, body, field) in writes {
                    let response = try await client.send(method, uri, token: token, json: body)
                    #expect(response.status == .badRequest, "\(method) \(uri) with a name \(why) \(name): \(response.text)")
                    #expect(response.field == field, "\(method) \(uri): \(response.text)")
                }
            }
            #expect(try await client.send(.get, "/v1/policy", token: token).json == before)
            // Spaces around a name are trimmed, not refused.
            let trimmed = try await client.send(.post, "/v1/pools", token: token, json: #"{"name":"  Sellers  ","members":[]}"#)
            #expect(trimmed["name"] == .string("Sellers"), "\(trimmed.text)")
        }
    }

    @Test func theLastAdminTokenCannotBeRevokedOverTheAPI() async throws {
        let service = try TestService()
        try await service.test { client in
            let tokens = try await client.send(.get, "/v1/tokens", token: service.adminToken).items
            let admin = try #require(tokens.first { $0.objectValue?["role"] == .string("admin") }?.objectValue?["id"]?.stringValue)
            let refused = try await client.send(.delete, "/v1/tokens/\(admin)", token: service.adminToken)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(refused.error?.contains("last live admin token") == true)
            #expect(try await client.send(.get, "/v1/agents", token: service.adminToken).status == .ok)
            // With a second admin, the first may go.
            let second = try #require(try await client.send(.post, "/v1/tokens", token: service.adminToken,
                                                            json: #"{"name":"second","role":"admin"}"#)["token"]?.stringValue)
            #expect(try await client.send(.delete, "/v1/tokens/\(admin)", token: second).status == .noContent)
        }
    }
}
