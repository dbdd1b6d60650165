import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

/// `POST /v1/leads/redeliver` and `/v1/leads/reroute`: recovering from a CRM outage in one call.
@Suite(.serialized) struct BulkRecoveryTests {
    @Test func oneRedeliverSendsEveryDeadLeadOnceTheCRMIsBack() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(otherwise: .reject)
        try await DeliveryTests.withDispatcher(crmURL: server.url, configure: { $0.maxRejections = 1 }) { harness in
            var ids: [String] = []
            for name in ["Ann", "Bo", "Cy"] {
                ids.append(try await harness.post(#""fname":"\#(name)","tags":"buyer""#))
            }
            for id in ids { _ = try await harness.waitFor(id, ["dead"]) }
            let token = harness.service.adminToken

            let dry = try await harness.client.send(.post, "/v1/leads/redeliver", token: token, json: #"{"dry_run":true}"#)
            #expect(dry.status == .ok, "\(dry.text)")
            #expect(dry["matched"] == .number(3) && dry["redelivered"] == .number(3) && dry["dry_run"] == .bool(true))
            guard case .array(let sample)? = dry["sample"] else { Issue.record("no sample: \(dry.text)"); return }
            #expect(sample.compactMap { $0.objectValue?["lead_id"]?.stringValue } == ids)
            for id in ids { #expect(try await harness.client.send(.get, "/v1/leads/\(id)", token: token)["status"] == .string("dead")) }
            #expect(try await harness.client.send(.get, "/v1/audit-events?type=leads.redelivered", token: token).items.isEmpty)

            let refused = await server.crm.received.count
            await server.crm.answer(otherwise: .succeed)
            let done = try await harness.client.send(.post, "/v1/leads/redeliver", token: token, json: #"{"status":"dead","vendor_id":"zillow"}"#)
            #expect(done.status == .ok, "\(done.text)")
            #expect(done["redelivered"] == .number(3) && done["dry_run"] == .bool(false))
            for id in ids { _ = try await harness.waitFor(id, ["delivered"]) }
            // Each sent once more, and only once.
            #expect(await server.crm.received.count == refused + 3)

            let events = try await harness.client.send(.get, "/v1/audit-events?type=leads.redelivered", token: harness.service.auditorToken)
            #expect(events.items.count == 1)
            let after = try #require(events.items.first?.objectValue?["after"]?.objectValue)
            #expect(after["redelivered"] == .number(3))
            #expect(after["filter"] == .object(["status": .string("dead"), "vendor_id": .string("zillow")]))
            #expect(events.items.first?.objectValue?["actor"]?.objectValue?["name"] == .string("Test Admin"))
            let perLead = try await harness.client.send(.get, "/v1/audit-events?type=lead.redelivered&entity_id=\(ids[0])", token: token)
            #expect(perLead.items.count == 1)

            let again = try await harness.client.send(.post, "/v1/leads/redeliver", token: token, json: "{}")
            #expect(again["redelivered"] == .number(0) && again["matched"] == .number(0))
            #expect(again["message"]?.stringValue?.contains("no lead matches") == true)
            #expect(try await harness.client.send(.get, "/v1/audit-events?type=leads.redelivered", token: token).items.count == 1)
        }
        await server.stop()
    }

    @Test func rerouteDecidesDeadLeadsAgainAndAnAgentWhoLeftGetsNone() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(otherwise: .reject)
        try await DeliveryTests.withDispatcher(crmURL: server.url, configure: { $0.maxRejections = 1 }) { harness in
            let token = harness.service.adminToken
            // Everything tagged "jane" goes to Jane alone; she stops answering, then leaves.
            let rule = #"{"id":"to-jane","name":"To Jane","priority":0,"match":{"tags_any":["jane"]},"action":{"type":"agent","agent_id":"jane"}}"#
            #expect(try await harness.client.send(.post, "/v1/rules", token: token, json: rule).status == .created)
            var ids: [String] = []
            for name in ["Ann", "Bo"] { ids.append(try await harness.post(#""fname":"\#(name)","tags":"jane""#)) }
            let seller = try await harness.post(#""fname":"Sal","tags":"seller""#)
            for id in ids { _ = try await harness.waitFor(id, ["dead"]) }
            _ = try await harness.waitFor(seller, ["unrouted"])

            #expect(try await harness.client.send(.patch, "/v1/rules/to-jane", token: token,
                                                  json: #"{"action":{"type":"agent","agent_id":"bob"}}"#).status == .ok)
            #expect(try await harness.client.send(.patch, "/v1/pools/buyers", token: token, json: #"{"members":[{"agent_id":"bob"}]}"#).status == .ok)
            #expect(try await harness.client.send(.delete, "/v1/agents/jane", token: token).status == .noContent)

            let dry = try await harness.client.send(.post, "/v1/leads/reroute", token: token, json: #"{"dry_run":true}"#)
            #expect(dry["matched"] == .number(2) && dry["rerouted"] == .number(2) && dry["unrouted"] == .number(0), "\(dry.text)")
            await server.crm.answer(otherwise: .succeed)
            let rerouted = try await harness.client.send(.post, "/v1/leads/reroute", token: token, json: #"{}"#)
            #expect(rerouted["rerouted"] == .number(2) && rerouted["unrouted"] == .number(0), "\(rerouted.text)")
            for id in ids {
                let lead = try await harness.waitFor(id, ["delivered"])
                #expect(lead["target"]?.objectValue?["agent_id"] == .string("bob"))
                let history = try await harness.client.send(.get, "/v1/audit-events?type=lead.rerouted&entity_id=\(id)", token: token)
                let before = history.items.first?.objectValue?["before"]?.objectValue
                #expect(before?["target"]?.objectValue?["agent_id"] == .string("jane"), "\(history.text)")
                #expect(before?["status"] == .string("dead"))
            }
            #expect(await server.crm.received.last?.apiKey == SamplePolicy.bobKey)

            // The unrouted seller: still nobody for it, said as such and kept.
            let unrouted = try await harness.client.send(.post, "/v1/leads/reroute", token: token, json: #"{"status":"unrouted"}"#)
            #expect(unrouted["rerouted"] == .number(0) && unrouted["unrouted"] == .number(1), "\(unrouted.text)")
            #expect(try await harness.client.send(.get, "/v1/leads/\(seller)", token: token)["status"] == .string("unrouted"))
            let events = try await harness.client.send(.get, "/v1/audit-events?type=leads.rerouted", token: token)
            #expect(events.items.count == 2)
        }
        await server.stop()
    }

    @Test func aBadFilterIsRefusedNamingItsFieldAndAnAuditorMayNotRecover() async throws {
        let service = try TestService()
        try await service.test { client in
            let cases: [(String, String, String)] = [
                ("/v1/leads/redeliver", #"{"status":"delivered"}"#, "status"),
                ("/v1/leads/reroute", #"{"status":"retrying"}"#, "status"),
                ("/v1/leads/redeliver", #"{"lead_ids":"ld_1"}"#, "lead_ids"),
                ("/v1/leads/redeliver", #"{"lead_ids":["ld_1",7]}"#, "lead_ids[1]"),
                ("/v1/leads/redeliver", #"{"lead_ids":[]}"#, "lead_ids"),
                ("/v1/leads/reroute", #"{"since":"yesterday"}"#, "since"),
                ("/v1/leads/reroute", #"{"since":"2026-12-02T00:00:00Z","until":"2026-12-01T00:00:00Z"}"#, "until"),
                ("/v1/leads/reroute", #"{"agent":"jane"}"#, "agent"),
                ("/v1/leads/reroute", #"{"dry_run":"yes"}"#, "dry_run"),
            ]
            for (uri, body, field) in cases {
                let response = try await client.send(.post, uri, token: service.adminToken, json: body)
                #expect(response.status == .badRequest && response.field == field, "\(uri) \(body): \(response.text)")
            }
            let auditor = try await client.send(.post, "/v1/leads/redeliver", token: service.auditorToken, json: "{}")
            #expect(auditor.status == .forbidden)
            let named = try await client.send(.post, "/v1/leads/redeliver", token: service.adminToken, json: #"{"lead_ids":["ld_nothing"]}"#)
            #expect(named.status == .ok && named["matched"] == .number(0))
        }
    }
}
