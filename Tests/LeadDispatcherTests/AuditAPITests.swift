import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import NIOCore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// The auditor's questions: who got which lead, when and why; the same as CSV; is the log intact.
@Suite struct AuditAPITests {
    /// The sample policy plus a second vendor and a catch-all rule, and seven leads.
    static func withLeads(_ body: @Sendable (any TestClientProtocol, TestService, [String]) async throws -> Void) async throws {
        try await IngestTests.withVendor { client, zillowKey, service in
            let admin = service.adminToken
            let realtor = try await client.send(.post, "/v1/vendors", token: admin, json: #"{"id":"realtor","name":"Realtor"}"#)
            let realtorKey = try #require(realtor["api_key"]?.stringValue)
            _ = try await client.send(.post, "/v1/rules", token: admin,
                                      json: #"{"id":"rest","name":"Rest","priority":100,"match":{"campaign_ids":["spring"]},"action":{"type":"crm_round_robin","account_id":"acme"}}"#)
            let leads: [(String, String)] = [
                (zillowKey, #""fname":"A","email":"Pat@Example.com","tags":"buyer""#),
                (zillowKey, #""fname":"B","email":"kim@example.com","tags":"buyer""#),
                (realtorKey, #""fname":"C","email":"pat@example.com","campaign_id":"spring""#),
                (zillowKey, #""fname":"D","tags":"seller""#),
                (zillowKey, #""fname":"E","campaign_id":"=HYPERLINK(\"http://evil\")","tags":"buyer""#),
                (realtorKey, #""fname":"F","campaign_id":"spring, \"quoted\"""#),
                (zillowKey, #""fname":"G","tags":"buyer""#),
            ]
            var ids: [String] = []
            for (key, fields) in leads {
                let response = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)",\#(fields)}"#)
                ids.append(response["lead_id"]?.stringValue ?? "")
            }
            try await body(client, service, ids)
        }
    }

    static func ids(_ response: JSONTestResponse) -> [String] {
        response.items.compactMap { $0.objectValue?["lead_id"]?.stringValue }
    }

    @Test func everyFilterFindsItsLeadsNewestFirst() async throws {
        try await Self.withLeads { client, service, ids in
            let token = service.auditorToken
            func query(_ parameters: String) async throws -> [String] {
                let response = try await client.send(.get, "/v1/leads?\(parameters)", token: token)
                #expect(response.status == .ok, "\(parameters): \(response.text)")
                return Self.ids(response)
            }
            #expect(try await query("") == ids.reversed())
            #expect(try await query("email=PAT@example.com") == [ids[2], ids[0]])
            #expect(try await query("vendor_id=realtor") == [ids[5], ids[2]])
            #expect(try await query("campaign_id=spring") == [ids[2]])
            #expect(try await query("rule_id=rest") == [ids[2]])
            #expect(try await query("status=unrouted") == [ids[5], ids[3]])
            #expect(try await query("account_id=acme").count == 5)
            let bob = try await query("agent_id=bob")
            let jane = try await query("agent_id=jane")
            #expect(bob.count + jane.count == 4)
            #expect(Set(bob + jane) == Set([ids[0], ids[1], ids[4], ids[6]]))
            let first = try await client.send(.get, "/v1/leads/\(ids[0])", token: token)
            let second = try await client.send(.get, "/v1/leads/\(ids[1])", token: token)
            let since = try #require(second["received_at"]?.stringValue)
            #expect(try await query("since=\(since)").first == ids[6])
            #expect(try await query("since=\(since)").last == ids[1])
            #expect(try await query("until=\(since)") == [ids[0]])
            _ = first
            #expect(try await query("limit=2") == [ids[6], ids[5]])
        }
    }

    @Test func refusesBadFiltersNamingThem() async throws {
        try await Self.withLeads { client, service, _ in
            for (parameters, field) in [("status=lost", "status"), ("since=yesterday", "since"), ("limit=0", "limit"), ("limit=501", "limit"),
                                        ("cursor=abc", "cursor"), ("agent=bob", "agent")] {
                let response = try await client.send(.get, "/v1/leads?\(parameters)", token: service.auditorToken)
                #expect(response.status == .badRequest, "\(parameters)")
                #expect(response.field == field, "\(parameters): \(response.text)")
            }
        }
    }

    @Test func pagingNeitherRepeatsNorSkipsWhileLeadsArrive() async throws {
        try await IngestTests.withVendor { client, key, service in
            var existing: [String] = []
            for index in 0..<23 {
                let response = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"Old \#(index)"}"#)
                existing.append(response["lead_id"]?.stringValue ?? "")
            }
            var seen: [String] = []
            var cursor: String? = nil
            var pages = 0
            repeat {
                let uri = "/v1/leads?limit=5" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.send(.get, uri, token: service.auditorToken)
                seen += Self.ids(page)
                cursor = page["next_cursor"]?.stringValue
                pages += 1
                // New leads keep arriving between pages.
                for index in 0..<3 {
                    _ = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"New \#(pages)-\#(index)"}"#)
                }
            } while cursor != nil && pages < 20
            #expect(seen == existing.reversed())
            #expect(Set(seen).count == seen.count)
        }
    }

    @Test func theCSVHasTheSameRowsQuotedAndFormulaSafe() async throws {
        try await Self.withLeads { client, service, ids in
            let csv = try await client.send(.get, "/v1/leads.csv", token: service.auditorToken)
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == "lead_id,received_at,vendor_id,email,campaign_id,tags,rule_id,target_kind,agent_id,account_id,status,attempts,policy_version")
            #expect(lines.count == 8)
            #expect(lines.dropFirst().map { String($0.prefix(while: { $0 != "," })) } == ids.reversed())
            // The formula is defused, and the quote and comma are quoted per RFC 4180.
            let evil = try #require(lines.first { $0.hasPrefix(ids[4]) })
            #expect(evil.contains(#""'=HYPERLINK(""http://evil"")""#))
            let quoted = try #require(lines.first { $0.hasPrefix(ids[5]) })
            #expect(quoted.contains(#""spring, ""quoted""""#))
            let filtered = try await client.send(.get, "/v1/leads.csv?vendor_id=realtor", token: service.auditorToken)
            #expect(filtered.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)
            let bad = try await client.send(.get, "/v1/leads.csv?status=nope", token: service.auditorToken)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func theLeadsLifeIsInTheAuditLogAndTheChainVerifies() async throws {
        try await Self.withLeads { client, service, ids in
            let token = service.auditorToken
            let received = try await client.send(.get, "/v1/audit-events?type=lead.received&limit=500", token: token)
            #expect(received.items.count == 7)
            let routed = try await client.send(.get, "/v1/audit-events?type=lead.routed&limit=500", token: token)
            #expect(routed.items.count == 5)
            let unrouted = try await client.send(.get, "/v1/audit-events?type=lead.unrouted", token: token)
            #expect(unrouted.items.compactMap { $0.objectValue?["entity"]?.objectValue?["id"]?.stringValue } == [ids[5], ids[3]])
            let actor = received.items.first?.objectValue?["actor"]?.objectValue
            #expect(actor?["kind"] == .string("vendor"))
            // Contact fields never enter the log, so erasing them keeps it verifiable.
            let everything = try await client.send(.get, "/v1/audit-events?limit=500", token: token)
            #expect(!everything.text.contains("kim@example.com"))
            let verified = try await client.send(.get, "/v1/audit-events/verify", token: token)
            #expect(verified["ok"] == .bool(true))
            // Delivery attempts (to a closed port) keep appending while this runs: the verification
            // checked every event there was before it, and none that came after.
            let after = try await client.send(.get, "/v1/audit-events?limit=500", token: token)
            guard case .number(let checked)? = verified["checked"] else {
                Issue.record("no count of events checked: \(verified.text)")
                return
            }
            #expect(Double(everything.items.count) <= checked && checked <= Double(after.items.count), "\(checked)")
            #expect(verified["first_broken_id"] == .null)
            let future = try await client.send(.get, "/v1/audit-events?since=2999-01-01T00:00:00Z", token: token)
            #expect(future.items.isEmpty)
        }
    }

    @Test func everyPolicyChangeIsAVersionAndEachDecisionNamesItsOwn() async throws {
        try await Self.withLeads { client, service, ids in
            let token = service.auditorToken
            let versions = try await client.send(.get, "/v1/policy/versions", token: token)
            // accounts, two agents, pool, rule, and the catch-all: six changes to the policy.
            #expect(versions.items.count == 6)
            #expect(versions.items.first?.objectValue?["version"] == .number(6))
            #expect(versions.items.first?.objectValue?["actor"]?.objectValue?["name"] == .string("Test Admin"))
            let lead = try await client.send(.get, "/v1/leads/\(ids[0])", token: token)
            #expect(lead["decision"]?.objectValue?["policy_version"] == .number(6))
            let version = try await client.send(.get, "/v1/policy/versions/6", token: token)
            #expect(version["policy"] == (try await client.send(.get, "/v1/policy", token: token)).json)
            #expect(try await client.send(.get, "/v1/policy/versions/99", token: token).status == .notFound)
            #expect(try await client.send(.get, "/v1/policy/versions/x", token: token).status == .badRequest)
            let older = try await client.send(.get, "/v1/policy/versions/1", token: token)
            #expect(older["policy"]?.objectValue?["agents"] == .array([]))
            #expect(!older.text.contains(SamplePolicy.adminKey))
        }
    }

    @Test func aDecisionCanBeReDerivedFromItsLeadVersionAndState() async throws {
        try await Self.withLeads { client, service, ids in
            for id in ids {
                let lead = try await client.send(.get, "/v1/leads/\(id)", token: service.auditorToken)
                guard let decision = lead["decision"]?.objectValue, case .number(let version)? = decision["policy_version"] else {
                    Issue.record("no version in \(lead.text)")
                    continue
                }
                let document = try await client.send(.get, "/v1/policy/versions/\(Int(version))", token: service.auditorToken)
                let (policy, _) = try PolicyDocument.parse(try #require(document["policy"]?.objectValue))
                let state = try #require(decision["state"]).decode(RoutingState.self)
                let tags = try #require(lead["tags"]).decode([String].self)
                let engineLead = Lead(vendorID: lead["vendor_id"]?.stringValue, email: lead["email"]?.stringValue,
                                      campaignID: lead["campaign_id"]?.stringValue, tags: tags)
                let again = RoutingEngine.decide(engineLead, policy: policy, state: state).decision
                let recorded = try JSONValue.object(decision.filter { $0.key != "policy_version" && $0.key != "state" }).decode(Decision.self)
                #expect(again == recorded, "\(id)")
            }
        }
    }
}
