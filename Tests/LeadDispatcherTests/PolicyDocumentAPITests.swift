import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

@Suite struct PolicyDocumentAPITests {
    static var examplePolicy: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config/policy.example.json")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    @Test func putAppliesTheExamplePolicyAndGetShowsItMasked() async throws {
        let service = try TestService()
        let example = try Self.examplePolicy
        try await service.test { client in
            let token = service.adminToken
            let put = try await client.send(.put, "/v1/policy", token: token, json: example)
            #expect(put.status == .ok, "\(put.text)")
            let shown = try await client.send(.get, "/v1/policy", token: token)
            // The answer is the policy now in force, plus a warning for each of the example's placeholder keys.
            var applied = put.object
            let warnings = applied.removeValue(forKey: "warnings")
            #expect(shown.json == .object(applied))
            guard case .array(let listed)? = warnings else {
                Issue.record("no warnings for the example's placeholder keys: \(put.text)")
                return
            }
            #expect(listed.count == 7)
            #expect(listed.first?.stringValue?.hasPrefix("accounts[0].admin_api_key: account 'sunset-realty' still has a placeholder key") == true,
                    "\(listed)")
            guard case .array(let accounts)? = shown["accounts"], case .array(let agents)? = shown["agents"],
                  case .array(let pools)? = shown["pools"], case .array(let rules)? = shown["rules"] else {
                Issue.record("not a policy document: \(shown.text)")
                return
            }
            #expect(accounts.count == 2 && agents.count >= 4 && pools.count >= 1 && rules.count >= 3)
            for item in accounts {
                #expect(item.objectValue?["admin_api_key"]?.stringValue?.hasPrefix("••••") == true)
            }
            for item in agents {
                #expect(item.objectValue?["api_key"]?.stringValue?.hasPrefix("••••") == true)
            }
            // No key of the example appears anywhere in what the API shows.
            let exampleDocument = try JSONDecoder().decode(JSONValue.self, from: Data(example.utf8))
            for key in Self.secrets(in: exampleDocument) {
                #expect(!shown.text.contains(key))
            }
        }
    }

    @Test func anInvalidDocumentChangesNothing() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let before = try await client.send(.get, "/v1/policy", token: token).json
            let events = try await client.send(.get, "/v1/audit-events?limit=500", token: token).items.count
            let invalid = #"""
                {"accounts":[{"id":"acme","name":"Acme Realty"}],
                 "agents":[{"id":"jane","account_id":"acme","name":"Jane"},{"id":"kim","account_id":"nowhere","name":"Kim","api_key":"bb-kim-0123456789"}],
                 "pools":[],"rules":[]}
                """#
            let response = try await client.send(.put, "/v1/policy", token: token, json: invalid)
            #expect(response.status == .badRequest)
            #expect(response.field == "agents[1].account_id")
            #expect(try await client.send(.get, "/v1/policy", token: token).json == before)
            #expect(try await client.send(.get, "/v1/audit-events?limit=500", token: token).items.count == events)

            let missingKey = #"{"accounts":[{"id":"acme","name":"Acme"}],"agents":[{"id":"kim","account_id":"acme","name":"Kim"}],"pools":[],"rules":[]}"#
            let refused = try await client.send(.put, "/v1/policy", token: token, json: missingKey)
            #expect(refused.status == .badRequest)
            #expect(refused.field == "agents[0].api_key")
            #expect(try await client.send(.get, "/v1/policy", token: token).json == before)
        }
    }

    @Test func roundTripOfTheExportedDocumentKeepsTheStoredKeys() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let exported = try await client.send(.get, "/v1/policy", token: token)
            let reimported = try await client.send(.put, "/v1/policy", token: token, json: exported.text)
            #expect(reimported.status == .ok, "\(reimported.text)")
            #expect(reimported.json == exported.json)
        }
        // The keys survived the masked round trip, byte for byte.
        let store = try DispatcherStores.openStore(service.settings)
        #expect(try await store.secret(for: .init(kind: "agent", id: "jane")) == SamplePolicy.janeKey)
        #expect(try await store.secret(for: .init(kind: "account", id: "acme")) == SamplePolicy.adminKey)
    }

    static func secrets(in document: JSONValue) -> [String] {
        var found: [String] = []
        func walk(_ value: JSONValue) {
            switch value {
            case .object(let fields):
                for (key, child) in fields {
                    if key.hasSuffix("api_key"), let text = child.stringValue { found.append(text) } else { walk(child) }
                }
            case .array(let items):
                items.forEach(walk)
            default:
                break
            }
        }
        walk(document)
        return found
    }
}
