import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

/// "Why not me?": a pool's rotation, with who is next up, over the API and in the console.
@Suite struct PoolRotationAPITests {
    @Test func theRotationNamesWhoIsNextAndWhyOthersAreNot() async throws {
        let service = try TestService()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            // Bob (weight 3) before Jane (weight 1): the smooth weighted round robin starts with the heaviest.
            let first = try await client.send(.get, "/v1/pools/buyers/rotation", token: service.auditorToken)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first["pool_id"] == .string("buyers"))
            #expect(first["next"] == .string("bob"))
            guard case .array(let members)? = first["members"] else {
                Issue.record("no members: \(first.text)")
                return
            }
            #expect(members.count == 2)
            let bob = try #require(members.first { $0.objectValue?["agent_id"] == .string("bob") }?.objectValue)
            #expect(bob["weight"]?.intValue == 3 && bob["daily_cap"]?.intValue == 20 && bob["today"]?.intValue == 0)
            #expect(bob["available"] == .bool(true) && bob["reason"] == .null)

            // A lead goes to Bob: the rotation advances, and his count with it.
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
            _ = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"Pat","tags":"buyer"}"#)
            let after = try await client.send(.get, "/v1/pools/buyers/rotation", token: service.auditorToken)
            guard case .array(let now)? = after["members"] else { return }
            #expect(now.first { $0.objectValue?["agent_id"] == .string("bob") }?.objectValue?["today"]?.intValue == 1)
            #expect(now.compactMap { $0.objectValue?["current_weight"]?.intValue }.reduce(0, +) == 0, "current weights sum to zero")

            // Jane paused: she is passed over, and says why.
            _ = try await client.send(.patch, "/v1/agents/jane", token: service.adminToken, json: #"{"active":false}"#)
            let paused = try await client.send(.get, "/v1/pools/buyers/rotation", token: service.auditorToken)
            guard case .array(let pausedMembers)? = paused["members"] else { return }
            let jane = try #require(pausedMembers.first { $0.objectValue?["agent_id"] == .string("jane") }?.objectValue)
            #expect(jane["available"] == .bool(false) && jane["reason"] == .string("inactive"))
            #expect(paused["next"] == .string("bob"))
            #expect(try await client.send(.get, "/v1/pools/nowhere/rotation", token: service.auditorToken).status == .notFound)

            // The console shows the same, with the next agent up marked.
            let store = try #require(service.store)
            _ = try await store.createUser(email: "ann@sunset.example", name: "Ann", role: .auditor,
                                           passwordHash: await Passwords.hash(ConsoleSessionTests.password), actor: .cli("test"))
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
            let list = try await client.send(.get, "/console/pools", headers: [.cookie: cookie])
            #expect(list.text.contains(#"href="/console/pools/buyers""#) && list.text.contains("Bob Roe (bob)"))
            let page = try await client.send(.get, "/console/pools/buyers", headers: [.cookie: cookie])
            #expect(page.text.contains("Next up: <strong>Bob Roe (bob)</strong>"))
            #expect(page.text.contains(#"<tr class="next-up"><td>Bob Roe <code>bob</code> <strong>← next</strong>"#))
            #expect(page.text.contains("1 of 20") && page.text.contains("paused"))
            #expect(try await client.send(.get, "/console/pools/nowhere", headers: [.cookie: cookie]).status == .notFound)
        }
    }
}
