import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// Fairness figures, backtests and retention through the API.
@Suite struct StatsAPITests {
    /// Bob (weight 3) and Jane (1) share the buyer pool; eight buyer leads and one unmatched.
    static func withEightBuyers(_ body: @Sendable (any TestClientProtocol, TestService) async throws -> Void) async throws {
        try await IngestTests.withVendor { client, key, service in
            _ = try await client.send(.patch, "/v1/agents/bob", token: service.adminToken, json: #"{"daily_cap":null}"#)
            for index in 0..<9 {
                let tags = index < 8 ? "buyer" : "seller"
                _ = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"L\#(index)","email":"l\#(index)@example.com","tags":"\#(tags)"}"#)
            }
            try await body(client, service)
        }
    }

    @Test func distributionShowsReceivedAgainstTheEntitledShare() async throws {
        try await Self.withEightBuyers { client, service in
            let response = try await client.send(.get, "/v1/stats/distribution?account_id=acme", token: service.auditorToken)
            #expect(response.status == .ok, "\(response.text)")
            let byAgent = Dictionary(uniqueKeysWithValues: response.items.compactMap { item -> (String, [String: JSONValue])? in
                guard let object = item.objectValue, let agent = object["target"]?.objectValue?["agent_id"]?.stringValue else { return nil }
                return (agent, object)
            })
            #expect(byAgent["bob"]?["received"] == .number(6))
            #expect(byAgent["bob"]?["eligible"] == .number(8))
            #expect(byAgent["bob"]?["entitled_share"] == .number(0.75))
            #expect(byAgent["jane"]?["received"] == .number(2))
            #expect(byAgent["jane"]?["entitled_share"] == .number(0.25))
            let other = try await client.send(.get, "/v1/stats/distribution?account_id=nobody", token: service.auditorToken)
            #expect(other.items.isEmpty)
            let bad = try await client.send(.get, "/v1/stats/distribution?since=never", token: service.auditorToken)
            #expect(bad.status == .badRequest)
            #expect(bad.field == "since")
        }
    }

    /// `pool_id`: only the leads that pool's rotation decided, only its members; `expected` is the leads
    /// the weights entitled each to.
    @Test func distributionPerPoolWithTheExpectedCount() async throws {
        try await Self.withEightBuyers { client, service in
            let response = try await client.send(.get, "/v1/stats/distribution?pool_id=buyers", token: service.auditorToken)
            #expect(response.status == .ok, "\(response.text)")
            let byAgent = Dictionary(uniqueKeysWithValues: response.items.compactMap { item -> (String, [String: JSONValue])? in
                guard let object = item.objectValue, let agent = object["target"]?.objectValue?["agent_id"]?.stringValue else { return nil }
                return (agent, object)
            })
            #expect(Set(byAgent.keys) == ["bob", "jane"])
            #expect(byAgent["bob"]?["expected"] == .number(6) && byAgent["jane"]?["expected"] == .number(2))
            #expect(response.items.count == 2, "no Admin key: the pool's rotation decided every lead counted")
            let unknown = try await client.send(.get, "/v1/stats/distribution?pool_id=nowhere", token: service.auditorToken)
            #expect(unknown.status == .badRequest && unknown.field == "pool_id")

            // The console draws the same, with the numbers beside the chart.
            let store = try #require(service.store)
            _ = try await store.createUser(email: "ann@sunset.example", name: "Ann", role: .auditor,
                                           passwordHash: await Passwords.hash(ConsoleSessionTests.password), actor: .cli("test"))
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
            let page = try await client.send(.get, "/console/fairness?pool_id=buyers", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg") && page.text.contains("<title id=\"chart-title\">"))
            #expect(page.text.contains("received 6") && page.text.contains("expected 6.0") && page.text.contains("expected 2.0"))
            #expect(page.text.contains("<td>Bob Roe (bob), Acme Realty</td><td>6</td><td>6.0</td>"))
            let bad = try await client.send(.get, "/console/fairness?pool_id=nowhere", headers: [.cookie: cookie])
            #expect(bad.status == .badRequest && bad.text.contains("no pool &#39;nowhere&#39;"))
        }
    }

    @Test func simulateReplaysADraftWithoutChangingAnything() async throws {
        try await Self.withEightBuyers { client, service in
            let before = try await client.send(.get, "/v1/leads?limit=500", token: service.adminToken)
            var policy = try #require(try await client.send(.get, "/v1/policy", token: service.adminToken).object)
            // The draft: the buyer rule goes to the CRM round robin.
            guard case .array(var rules)? = policy["rules"], case .object(var rule)? = rules.first else {
                Issue.record("no rules")
                return
            }
            rule["action"] = .object(["type": .string("crm_round_robin"), "account_id": .string("acme")])
            rules[0] = .object(rule)
            policy["rules"] = .array(rules)
            let body = String(decoding: try JSONEncoder().encode(JSONValue.object(["policy": .object(policy)])), as: UTF8.self)
            let result = try await client.send(.post, "/v1/policy/simulate", token: service.adminToken, json: body)
            #expect(result.status == .ok, "\(result.text)")
            #expect(result["leads"] == .number(9))
            #expect(result["changed_total"] == .number(8))
            guard case .array(let changed)? = result["changed"] else { Issue.record("no changed"); return }
            #expect(changed.count == 8)
            let admin = result.items.first { $0.objectValue?["target"]?.objectValue?["kind"] == .string("admin") }?.objectValue
            #expect(admin?["recorded"] == .number(0))
            #expect(admin?["draft"] == .number(8))
            // Nothing changed: the same leads with the same decisions (delivery may have moved on meanwhile), the same policy.
            func decisions(_ response: JSONTestResponse) -> [JSONValue] {
                response.items.map { item in .array(["lead_id", "rule_id", "target"].map { item.objectValue?[$0] ?? .null }) }
            }
            #expect(decisions(try await client.send(.get, "/v1/leads?limit=500", token: service.adminToken)) == decisions(before))
            #expect(try await client.send(.get, "/v1/policy/versions", token: service.adminToken).items.count == 6)

            let invalid = try await client.send(.post, "/v1/policy/simulate", token: service.adminToken,
                                                json: #"{"policy":{"rules":[{"id":"r","name":"R","priority":1,"action":{"type":"pool","pool_id":"ghost"}}]}}"#)
            #expect(invalid.status == .badRequest)
            #expect(invalid.field == "policy.rules[0].action.pool_id")
            let auditor = try await client.send(.post, "/v1/policy/simulate", token: service.auditorToken, json: body)
            #expect(auditor.status == .forbidden)
        }
    }

    @Test func retentionErasesContactFieldsAndKeepsTheRecordVerifiable() async throws {
        let service = try TestService()
        let leadID = try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
            let response = try await client.send(.post, "/clientapi/lead-import",
                                                 json: #"{"api_key":"\#(key)","fname":"Pat","email":"pat@example.com","phone":"555-0100","tags":"buyer","campaign_id":"spring"}"#)
            return response["lead_id"]?.stringValue ?? ""
        }
        // Erase what was received until now, as a purge does for leads past the retention period.
        let store = try openStore(service.settings)
        #expect(try await store.eraseContactFields(receivedBefore: Date().addingTimeInterval(1), actor: .cli("test")) == 1)
        #expect(try await store.eraseContactFields(receivedBefore: Date().addingTimeInterval(1), actor: .cli("test")) == 0)
        let lead = try #require(try await store.lead(id: leadID))
        #expect(lead.email == nil)
        #expect(lead.fields["fname"] == nil && lead.fields["phone"] == nil && lead.fields["email"] == nil)
        #expect(lead.fields["campaign_id"] == .string("spring"))
        #expect(lead.target != nil && lead.ruleID == "zillow-buyers")
        #expect(try await store.verifyAuditChain().ok)
        try store.close()
    }

    @Test func theServiceErasesLeadsPastTheRetentionPeriodAtStartUp() async throws {
        let service = try TestService()
        try await service.test { client in try await SamplePolicy.create(client, token: service.adminToken) }
        let (old, recent): (String, String)
        do {
            let store = try openStore(service.settings)
            func submit(daysAgo: Double) async throws -> String {
                let submission = LeadSubmission(vendorID: "zillow", fields: ["fname": .string("Pat"), "email": .string("pat@example.com")],
                                                lead: Lead(vendorID: "zillow", email: "pat@example.com", tags: ["buyer"]),
                                                receivedAt: Date().addingTimeInterval(-daysAgo * 86_400))
                return try #require(try await store.accept([submission], dayTimeZone: service.settings.timeZone).first?.leadID)
            }
            old = try await submit(daysAgo: 3)
            recent = try await submit(daysAgo: 0)
            try store.close()
        }
        service.settings.retentionDays = 2
        try await service.test { client in
            try await waitUntil("retention erased the old lead's email") {
                try await client.send(.get, "/v1/leads/\(old)", token: service.auditorToken)["email"] == .null
            }
            #expect(try await client.send(.get, "/v1/leads/\(recent)", token: service.auditorToken)["email"] == .string("pat@example.com"))
            let events = try await client.send(.get, "/v1/audit-events?type=leads.erased", token: service.auditorToken)
            #expect(events.items.count == 1)
        }
    }
}
