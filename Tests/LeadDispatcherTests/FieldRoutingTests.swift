import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadPolicy
import NIOCore
import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// Routing by a vendor's own fields and by the clock, through the real service: rules on a custom `zip`
/// field, agents away and off hours, the clock as an input to previews and simulations.
@Suite struct FieldRoutingTests {
    /// Two agents, each in a pool of one, and zip-code rules before the catch-all.
    static func zipPolicy(_ client: any TestClientProtocol, token: String) async throws {
        try await SamplePolicy.create(client, token: token)
        let requests: [(String, String)] = [
            ("/v1/pools", #"{"id":"loop","name":"The Loop","members":[{"agent_id":"jane"}]}"#),
            ("/v1/pools", #"{"id":"evanston","name":"Evanston","members":[{"agent_id":"bob"}]}"#),
            ("/v1/rules", #"{"id":"zip-loop","name":"Loop zips","priority":1,"match":{"fields":[{"field":"zip","op":"in","value":["60601","60602"]}]},"action":{"type":"pool","pool_id":"loop"}}"#),
            ("/v1/rules", #"{"id":"zip-evanston","name":"Evanston zips","priority":2,"match":{"fields":[{"field":"zip","op":"prefix","value":"602"},{"field":"price","op":"gte","value":300000}]},"action":{"type":"pool","pool_id":"evanston"}}"#),
        ]
        for (uri, body) in requests {
            let response = try await client.send(.post, uri, token: token, json: body)
            #expect(response.status == .created, "\(uri): \(response.text)")
        }
    }

    @Test func leadsAreRoutedByACustomZipFieldAndSayWhy() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await Self.zipPolicy(client, token: token)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: token)["api_key"]?.stringValue)
            func post(_ fields: String) async throws -> String {
                let response = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"Pat",\#(fields)}"#)
                #expect(response.status == .ok, "\(response.text)")
                return try #require(response["lead_id"]?.stringValue)
            }
            let loop = try await post(#""zip":"60602","tags":"buyer""#)
            let evanston = try await post(#""zip":60201,"price":"$450,000","tags":"buyer""#)
            let cheap = try await post(#""zip":"60201","price":"250000","tags":"buyer""#)
            // A form post, as many vendors send: the zip arrives as text.
            let form = try await client.execute(uri: "/clientapi/lead-import", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "api_key=\(key)&fname=Lee&Zip=60601&tags=buyer"))
            #expect(form.status == .ok, "\(String(buffer: form.body))")
            let formID = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: form.body).utf8)).objectValue?["lead_id"]?.stringValue)

            func lead(_ id: String) async throws -> JSONTestResponse { try await client.send(.get, "/v1/leads/\(id)", token: token) }
            #expect(try await lead(loop)["rule_id"] == .string("zip-loop"))
            #expect(try await lead(loop)["target"]?.objectValue?["agent_id"] == .string("jane"))
            #expect(try await lead(formID)["rule_id"] == .string("zip-loop"))
            #expect(try await lead(evanston)["rule_id"] == .string("zip-evanston"))
            #expect(try await lead(evanston)["target"]?.objectValue?["agent_id"] == .string("bob"))
            // 250,000 is under the Evanston rule's floor: the catch-all takes it.
            let passedOver = try await lead(cheap)
            #expect(passedOver["rule_id"] == .string("zillow-buyers"))
            guard case .array(let rules)? = passedOver["decision"]?.objectValue?["explanation"]?.objectValue?["rules"] else {
                Issue.record("no explanation: \(passedOver.text)"); return
            }
            #expect(rules.compactMap { $0.objectValue?["reason"]?.stringValue } == [
                "field 'zip' is '60201'; the rule wants it to be one of ['60601', '60602']",
                "field 'price' is '250000'; the rule wants it to be at least 300000",
                "tag ['buyer'] among tags_any; vendor 'zillow' is listed",
            ])
            // Listed by the field's rule like any other.
            #expect(try await client.send(.get, "/v1/leads?rule_id=zip-loop", token: token).items.count == 2)
        }
    }

    @Test func badConditionsAndSchedulesAre400sNamingThePathAndStoreNothing() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let versions = try await client.send(.get, "/v1/policy/versions", token: token).items.count
            let cases: [(String, String)] = [
                (#""fields":[{"field":"zip","op":"near","value":"1"}]"#, "match.fields[0].op"),
                (#""fields":[{"field":"zip","op":"exists"},{"field":"zip","op":"in","value":"60601"}]"#, "match.fields[1].value"),
                (#""fields":[{"field":"a","op":"exists"},{"field":"b","op":"exists"},{"field":"zip","op":"in","value":[]}]"#, "match.fields[2].value"),
                (#""fields":[{"field":"price","op":"between","value":[500,100]}]"#, "match.fields[0].value"),
                (#""schedule":{"time_zone":"Mars/Olympus","days":["mon"],"from":"09:00","until":"17:00"}"#, "match.schedule.time_zone"),
                (#""schedule":{"time_zone":"UTC","days":["mon"],"from":"25:00","until":"17:00"}"#, "match.schedule.from"),
                (#""schedule":{"time_zone":"UTC","days":[],"from":"09:00","until":"17:00"}"#, "match.schedule.days"),
            ]
            for (match, path) in cases {
                let response = try await client.send(.post, "/v1/rules", token: token,
                                                     json: #"{"id":"bad","name":"Bad","priority":1,"match":{\#(match)},"action":{"type":"agent","agent_id":"jane"}}"#)
                #expect(response.status == .badRequest, "\(match): \(response.text)")
                #expect(response.field == path, "\(match): \(response.text)")
            }
            let away = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"away_until":"next tuesday"}"#)
            #expect(away.status == .badRequest && away.field == "away_until", "\(away.text)")
            let hours = try await client.send(.patch, "/v1/agents/jane", token: token,
                                              json: #"{"schedule":{"time_zone":"UTC","days":["xyz"],"from":"09:00","until":"17:00"}}"#)
            #expect(hours.status == .badRequest && hours.field == "schedule.days[0]", "\(hours.text)")
            #expect(try await client.send(.get, "/v1/rules/bad", token: token).status == .notFound)
            #expect(try await client.send(.get, "/v1/policy/versions", token: token).items.count == versions)
        }
    }

    @Test func anAgentAwayOrOffHoursIsSkippedUntilBackAndThePreviewTakesTheClock() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            // Bob is away until 2099; Jane works weekdays nine to five in Chicago.
            #expect(try await client.send(.patch, "/v1/agents/bob", token: token, json: #"{"away_until":"2099-01-01T00:00:00Z"}"#).status == .ok)
            let schedule = #"{"time_zone":"America/Chicago","days":["mon","tue","wed","thu","fri"],"from":"09:00","until":"17:00"}"#
            let patched = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"schedule":\#(schedule)}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched["schedule"] == (try JSONDecoder().decode(JSONValue.self, from: Data(schedule.utf8))))
            #expect(try await client.send(.get, "/v1/agents/bob", token: token)["away_until"] == .string("2099-01-01T00:00:00.000Z"))

            func preview(at: String) async throws -> [String: JSONValue] {
                let response = try await client.send(.post, "/v1/route-preview", token: token,
                                                     json: #"{"fname":"Pat","tags":"buyer","vendor_id":"zillow","at":"\#(at)"}"#)
                #expect(response.status == .ok, "\(response.text)")
                return response["decision"]?.objectValue ?? [:]
            }
            func skips(_ decision: [String: JSONValue]) -> [String] {
                guard case .array(let steps)? = decision["explanation"]?.objectValue?["steps"],
                      case .array(let skipped)? = steps.first?.objectValue?["skipped"] else { return [] }
                return skipped.compactMap { skip in
                    guard let object = skip.objectValue else { return nil }
                    return "\(object["agent_id"]?.stringValue ?? ""): \(object["reason"]?.stringValue ?? "") \(object["detail"]?.stringValue ?? "")"
                }
            }
            // Monday 10:15 in Chicago: Jane takes it; Bob is away.
            let monday = try await preview(at: "2026-12-07T16:15:00Z")
            #expect(monday["target"]?.objectValue?["agent_id"] == .string("jane"))
            #expect(skips(monday) == ["bob: away away until 2099-01-01T00:00:00.000Z"])
            // Saturday: nobody in the pool; the rule's fallback, the CRM's round robin.
            let saturday = try await preview(at: "2026-12-05T16:15:00Z")
            #expect(saturday["target"]?.objectValue?["kind"] == .string("admin"))
            #expect(skips(saturday) == ["jane: off_hours off hours: Sat 10:15 America/Chicago", "bob: away away until 2099-01-01T00:00:00.000Z"])
            // Back from time away: Bob rejoins on a Saturday in 2099.
            let back = try await preview(at: "2099-01-03T16:15:00Z")
            #expect(back["target"]?.objectValue?["agent_id"] == .string("bob"))

            // A direct rule to an agent who is off hours finds nobody: its fallback applies.
            #expect(try await client.send(.post, "/v1/rules", token: token, json: #"{"id":"jane-direct","name":"Jane direct","priority":1,"match":{"tags_any":["jane"]},"action":{"type":"agent","agent_id":"jane"},"fallback":{"type":"crm_round_robin","account_id":"acme"}}"#).status == .created)
            let direct = try await client.send(.post, "/v1/route-preview", token: token,
                                               json: #"{"fname":"Pat","tags":"jane","at":"2026-12-05T16:15:00Z"}"#)
            #expect(direct["decision"]?.objectValue?["target"]?.objectValue?["kind"] == .string("admin"), "\(direct.text)")

            // The pool page's rotation says the same now.
            let rotation = try await client.send(.get, "/v1/pools/buyers/rotation", token: token)
            let bob = rotation.object["members"].flatMap { members -> JSONValue? in
                guard case .array(let items) = members else { return nil }
                return items.first { $0.objectValue?["agent_id"] == .string("bob") }
            }
            #expect(bob?.objectValue?["reason"] == .string("away"), "\(rotation.text)")
        }
    }

    @Test func simulateDecidesASampleLeadByTheDraftAtAGivenTime() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            var policy = try await client.send(.get, "/v1/policy", token: token).object
            // The draft: Zillow's buyers go to the CRM's round robin outside Chicago office hours.
            policy["rules"] = try JSONDecoder().decode(JSONValue.self, from: Data(#"""
                [{"id":"after-hours","name":"After hours","priority":1,"match":{"schedule":{"time_zone":"America/Chicago","days":["sat","sun"],"from":"00:00","until":"00:00"}},"action":{"type":"crm_round_robin","account_id":"acme"}},
                 {"id":"zillow-buyers","name":"Zillow buyers","priority":10,"match":{"vendor_ids":["zillow"],"tags_any":["buyer"]},"action":{"type":"pool","pool_id":"buyers"}}]
                """#.utf8))
            for key in ["version", "warnings"] { policy.removeValue(forKey: key) }
            let draft = String(decoding: try JSONEncoder().encode(JSONValue.object(policy)), as: UTF8.self)
            let weekend = try await client.send(.post, "/v1/policy/simulate", token: token,
                                                json: #"{"policy":\#(draft),"lead":{"fname":"Pat","tags":"buyer","vendor_id":"zillow"},"at":"2026-12-05T16:15:00Z"}"#)
            #expect(weekend.status == .ok, "\(weekend.text)")
            #expect(weekend["decision"]?.objectValue?["rule_id"] == .string("after-hours"), "\(weekend.text)")
            let weekday = try await client.send(.post, "/v1/policy/simulate", token: token,
                                                json: #"{"policy":\#(draft),"lead":{"fname":"Pat","tags":"buyer","vendor_id":"zillow"},"at":"2026-12-07T16:15:00Z"}"#)
            #expect(weekday["decision"]?.objectValue?["rule_id"] == .string("zillow-buyers"), "\(weekday.text)")
            // The current policy is unchanged, and a bad sample names its field.
            #expect(try await client.send(.get, "/v1/rules/after-hours", token: token).status == .notFound)
            let badTime = try await client.send(.post, "/v1/policy/simulate", token: token,
                                                json: #"{"policy":\#(draft),"lead":{"fname":"Pat"},"at":"Saturday"}"#)
            #expect(badTime.status == .badRequest && badTime.field == "at", "\(badTime.text)")
            let noLead = try await client.send(.post, "/v1/policy/simulate", token: token, json: #"{"policy":\#(draft),"at":"2026-12-05T16:15:00Z"}"#)
            #expect(noLead.status == .badRequest && noLead.field == "at", "\(noLead.text)")
            let badLead = try await client.send(.post, "/v1/policy/simulate", token: token, json: #"{"policy":\#(draft),"lead":{"fname":"Pat","email":"nope"}}"#)
            #expect(badLead.status == .badRequest && badLead.field == "lead.email", "\(badLead.text)")
        }
    }

    @Test func aZipRoutedLeadKeepsItsRouteAndLosesItsZipToRetention() async throws {
        let service = try TestService()
        let (loop, before) = try await service.test { client in
            try await Self.zipPolicy(client, token: service.adminToken)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
            let id = try #require(try await client.send(.post, "/clientapi/lead-import",
                                                        json: #"{"api_key":"\#(key)","fname":"Pat","zip":"60601","tags":"buyer"}"#)["lead_id"]?.stringValue)
            return (id, try await client.send(.get, "/v1/leads/\(id)", token: service.adminToken)["decision"])
        }
        let store = try openStore(service.settings)
        #expect(try await store.eraseContactFields(receivedBefore: Date().addingTimeInterval(1), actor: .cli("test")) == 1)
        let lead = try #require(try await store.lead(id: loop))
        #expect(lead.fields["zip"] == nil)
        #expect(lead.decision.ruleID == "zip-loop")
        // The route is kept; the erased zip is not quoted any more.
        let kept = try #require(before?.objectValue)
        #expect(try JSONValue(encoding: lead.decision.target) == kept["target"] && lead.decision.via == kept["via"]?.stringValue)
        let words = String(decoding: try JSONEncoder().encode(lead.decision.explanation), as: UTF8.self)
        #expect(!words.contains("60601") && words.contains("field 'zip' is '(erased)'"), "\(words)")
        #expect(lead.decision.explanation.rules.map(\.ruleID) == ["zip-loop"])
        try store.close()
    }
}
