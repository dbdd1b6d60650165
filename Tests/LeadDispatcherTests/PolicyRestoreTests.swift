import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// No single `PUT /v1/policy` erases the policy by accident, and a version erased on purpose can be put
/// back with its keys.
@Suite struct PolicyRestoreTests {
    @Test func aDocumentWithoutAllFourArraysChangesNothing() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let before = try await client.send(.get, "/v1/policy", token: token).json
            for (body, missing) in [("{}", "accounts"), (#"{"accounts":[],"agents":[],"pools":[]}"#, "rules"),
                                    (#"{"accounts":[],"pools":[],"rules":[]}"#, "agents")] {
                let response = try await client.send(.put, "/v1/policy", token: token, json: body)
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect(response.field == missing)
                #expect(response.error?.contains("[]") == true, "the error says how to empty it on purpose: \(response.error ?? "")")
            }
            #expect(try await client.send(.get, "/v1/policy", token: token).json == before)
        }
    }

    @Test func restoringAVersionBringsBackItsEntitiesAndKeys() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let full = try await client.send(.get, "/v1/policy", token: token)
            let versions = try await client.send(.get, "/v1/policy/versions", token: token).items
            let fullVersion = try #require(versions.first?.objectValue?["version"]?.intValue)

            // Emptied on purpose: an explicit document of empty arrays.
            let emptied = try await client.send(.put, "/v1/policy", token: token, json: #"{"accounts":[],"agents":[],"pools":[],"rules":[]}"#)
            #expect(emptied.status == .ok, "\(emptied.text)")
            #expect(try await service.store?.secret(for: SecretOwner(kind: "agent", id: "jane")) == nil)

            // An auditor may not restore; an unknown or malformed version is named.
            #expect(try await client.send(.post, "/v1/policy/versions/\(fullVersion)/restore", token: service.auditorToken).status == .forbidden)
            let unknown = try await client.send(.post, "/v1/policy/versions/999/restore", token: token)
            #expect(unknown.status == .notFound)
            #expect(unknown.field == "version")
            #expect(try await client.send(.post, "/v1/policy/versions/first/restore", token: token).field == "version")

            let restored = try await client.send(.post, "/v1/policy/versions/\(fullVersion)/restore", token: token)
            #expect(restored.status == .ok, "\(restored.text)")
            #expect(restored["restored_version"]?.intValue == fullVersion)
            let newVersion = try #require(restored["version"]?.intValue)
            #expect(newVersion == fullVersion + 2)
            #expect(restored["policy"] == full.json)
            #expect(try await client.send(.get, "/v1/policy", token: token).json == full.json)
            // The keys came back without the client sending one.
            #expect(try await service.store?.secret(for: SecretOwner(kind: "agent", id: "jane")) == SamplePolicy.janeKey)
            #expect(try await service.store?.secret(for: SecretOwner(kind: "agent", id: "bob")) == SamplePolicy.bobKey)
            #expect(try await service.store?.secret(for: SecretOwner(kind: "account", id: "acme")) == SamplePolicy.adminKey)

            // One new version, and an audit event that says which version came back.
            let latest = try await client.send(.get, "/v1/policy/versions", token: token).items
            #expect(latest.first?.objectValue?["version"]?.intValue == newVersion)
            let events = try await client.send(.get, "/v1/audit-events?type=policy.restored", token: token).items
            #expect(events.count == 1)
            #expect(events.first?.objectValue?["after"]?.objectValue?["restored_version"]?.intValue == fullVersion)
        }
    }

    @Test func aRestoreBringsBackTheKeyAVersionHadNotTheOneStoredNow() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let before = try #require(try await client.send(.get, "/v1/policy/versions", token: token).items.first?.objectValue?["version"]?.intValue)
            let rekeyed = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"api_key":"bb-user-key-jane-rotated-9999"}"#)
            #expect(rekeyed.status == .ok)
            #expect(try await service.store?.secret(for: SecretOwner(kind: "agent", id: "jane")) == "bb-user-key-jane-rotated-9999")
            let restored = try await client.send(.post, "/v1/policy/versions/\(before)/restore", token: token)
            #expect(restored.status == .ok, "\(restored.text)")
            #expect(try await service.store?.secret(for: SecretOwner(kind: "agent", id: "jane")) == SamplePolicy.janeKey)
            // Only jane changed: one updated event, and the restore's own.
            let updates = try await client.send(.get, "/v1/audit-events?type=agent.updated", token: token).items
            #expect(updates.count == 2)
        }
    }
}
