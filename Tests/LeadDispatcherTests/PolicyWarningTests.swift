import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

/// A change that leaves a policy unable to work as written is applied, and its answer says why.
@Suite struct PolicyWarningTests {
    @Test func aRuleThatCanFindNobodyIsNamedInTheAnswer() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            // The sample policy works as written.
            #expect(try await client.send(.get, "/v1/rules/zillow-buyers", token: token)["warnings"] == nil)
            let empty = try await client.send(.post, "/v1/pools", token: token, json: #"{"id":"empty","name":"Empty"}"#)
            #expect(empty.status == .created)
            #expect(empty["warnings"] == nil, "an unused empty pool is no problem: \(empty.text)")
            let rule = try await client.send(.post, "/v1/rules", token: token,
                                             json: #"{"id":"nobody","name":"Nobody","priority":5,"match":{"tags_any":["x"]},"action":{"type":"pool","pool_id":"empty"}}"#)
            #expect(rule.status == .created)
            #expect(rule["warnings"] == .array([.string("rules[1] 'nobody': its action can find nobody (pool 'empty' has no members) and it has no fallback: every lead it matches stays unrouted")]),
                    "\(rule.text)")

            // Pausing both agents leaves the pool without an active member; the fallback still finds the CRM round robin.
            #expect(try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"active":false}"#)["warnings"]?.arrayCount == 1)
            let paused = try await client.send(.patch, "/v1/agents/bob", token: token, json: #"{"active":false}"#)
            #expect(paused.status == .ok)
            #expect(paused["warnings"]?.arrayCount == 1, "only the rule without a fallback: \(paused.text)")
            let fallbackGone = try await client.send(.patch, "/v1/rules/zillow-buyers", token: token, json: #"{"fallback":{"type":"agent","agent_id":"jane"}}"#)
            #expect(fallbackGone["warnings"] == .array([
                .string("rules[0] 'zillow-buyers': its action and its fallback can find nobody (pool 'buyers' has no active member; agent 'jane' is inactive): every lead it matches stays unrouted"),
                .string("rules[1] 'nobody': its action can find nobody (pool 'empty' has no members) and it has no fallback: every lead it matches stays unrouted"),
            ]), "\(fallbackGone.text)")
            // Applied all the same.
            #expect(try await client.send(.get, "/v1/agents/bob", token: token)["active"] == .bool(false))
        }
    }

    @Test func aPlaceholderKeyIsNeverSentToTheCRM() async throws {
        let server = try await StandInServer.start()
        try await DeliveryTests.withDispatcher(crmURL: server.url) { harness in
            let token = harness.service.adminToken
            let rekeyed = try await harness.client.send(.patch, "/v1/agents/jane", token: token,
                                                        json: #"{"api_key":"REPLACE-with-Jane-Doe-Lead-Import-key"}"#)
            #expect(rekeyed["warnings"] == .array([.string("agents[0].api_key: agent 'jane' still has a placeholder key (REPLACE-with-…) from Config/policy.example.json: its leads are not delivered until it holds its real Buying Buddy key")]),
                    "\(rekeyed.text)")
            _ = try await harness.client.send(.post, "/v1/rules", token: token,
                                              json: #"{"id":"to-jane","name":"To Jane","priority":0,"match":{"tags_any":["jane"]},"action":{"type":"agent","agent_id":"jane"}}"#)
            let lead = try await harness.waitFor(try await harness.post(#""fname":"Pat","tags":"jane""#), ["dead"])
            let attempts = DeliveryTests.attempts(lead)
            #expect(attempts.count == 1)
            #expect(attempts.first?["error"] == .string("placeholder_key"))
            #expect(attempts.first?["detail"]?.stringValue?.contains("agent 'jane'") == true, "\(attempts)")
            #expect(await server.crm.received.isEmpty)
        }
        await server.stop()
    }
}

extension JSONValue {
    var arrayCount: Int? {
        guard case .array(let items) = self else { return nil }
        return items.count
    }
}
