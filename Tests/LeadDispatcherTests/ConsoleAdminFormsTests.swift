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

/// The console's admin forms: the API's validation beside each field, the API's audit trail with the
/// user as actor, one entity per form however often it is sent, stale forms refused, keys never shown.
@Suite struct ConsoleAdminFormsTests {
    static func form(_ fields: [(String, String)]) -> String {
        fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
    }

    static func hidden(_ name: String, in page: JSONTestResponse) -> String? {
        guard let range = page.text.range(of: #"name="\#(name)" value=""#) else { return nil }
        return String(page.text[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func anAdminSetsUpAnAccountAndAnAgentWithTheAPIsChecksAndAuditTrail() async throws {
        let service = try await ConsoleSessionTests.service()
        try await service.test { client in
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
            let newAccount = try await client.send(.get, "/console/accounts/new", headers: [.cookie: cookie])
            #expect(newAccount.status == .ok)
            let csrf = try #require(ConsoleClient.csrfToken(in: newAccount))
            let made = try await client.post("/console/accounts/new", form: Self.form([
                ("csrf_token", csrf), ("form_id", Self.hidden("form_id", in: newAccount) ?? ""), ("name", "Sunset Realty"),
                ("admin_api_key", "bb-admin-sunset-9876"),
            ]), cookie: cookie)
            #expect(made.status == .seeOther, "\(made.text)")
            #expect(made.headers[.location] == "/console/accounts/sunset-realty?done=created")

            // An invalid agent: the API's error beside its field, and nothing made.
            let newAgent = try await client.send(.get, "/console/agents/new", headers: [.cookie: cookie])
            let formID = try #require(Self.hidden("form_id", in: newAgent))
            var fields = [("csrf_token", csrf), ("form_id", formID), ("name", "Jane Doe"), ("account_id", "sunset-realty"),
                          ("api_key", "bb-user-jane-1234"), ("weight", "0"), ("active", "true")]
            let refused = try await client.post("/console/agents/new", form: Self.form(fields), cookie: cookie)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains(#"<p class="error" id="f-weight-error" role="alert">"#), "\(refused.text)")
            #expect(!refused.text.contains("bb-user-jane-1234"))
            #expect(try await client.send(.get, "/v1/agents", token: service.adminToken).items.isEmpty)

            // Corrected and sent twice (a double click): one agent.
            fields[5] = ("weight", "2")
            let first = try await client.post("/console/agents/new", form: Self.form(fields), cookie: cookie)
            #expect(first.headers[.location] == "/console/agents/jane-doe?done=created", "\(first.text)")
            let second = try await client.post("/console/agents/new", form: Self.form(fields), cookie: cookie)
            #expect(second.headers[.location] == "/console/agents/jane-doe?done=again")
            #expect(try await client.send(.get, "/v1/agents", token: service.adminToken).items.count == 1)
            // The back button: pages are not cached, so the form comes back with a new form_id; the same
            // values sent again still make one agent. Other values make another.
            let shownAgain = try await client.send(.get, "/console/agents/new", headers: [.cookie: cookie])
            fields[1] = ("form_id", try #require(Self.hidden("form_id", in: shownAgain)))
            let third = try await client.post("/console/agents/new", form: Self.form(fields), cookie: cookie)
            #expect(third.headers[.location] == "/console/agents/jane-doe?done=again")
            fields[2] = ("name", "Jane Roe")
            let other = try await client.post("/console/agents/new", form: Self.form(fields), cookie: cookie)
            #expect(other.headers[.location] == "/console/agents/jane-roe?done=created", "\(other.text)")
            #expect(try await client.send(.get, "/v1/agents", token: service.adminToken).items.count == 2)
            _ = try await client.post("/console/agents/jane-roe/delete", form: Self.form([("csrf_token", csrf)]), cookie: cookie)

            // The page shows the key's mask only; the change is the user's in the audit log.
            let page = try await client.send(.get, "/console/agents/jane-doe", headers: [.cookie: cookie])
            #expect(page.text.contains("••••1234") && !page.text.contains("bb-user-jane-1234"))
            let events = try await client.send(.get, "/v1/audit-events?type=agent.created", token: service.adminToken)
            #expect(events.items.first?.objectValue?["actor"]?.objectValue?["name"] == .string("Ann Admin"))
        }
    }

    @Test func aStaleFormSaysSoAndKeepsTheNewerChange() async throws {
        let service = try await ConsoleSessionTests.service()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
            let page = try await client.send(.get, "/console/agents/jane", headers: [.cookie: cookie])
            let csrf = try #require(ConsoleClient.csrfToken(in: page))
            let fingerprint = try #require(Self.hidden("fingerprint", in: page))
            #expect(try await client.send(.patch, "/v1/agents/jane", token: service.adminToken, json: #"{"weight": 5}"#).status == .ok)
            let stale = try await client.post("/console/agents/jane", form: Self.form([
                ("csrf_token", csrf), ("fingerprint", fingerprint), ("name", "Jane D."), ("account_id", "acme"), ("weight", "1"), ("active", "true"),
            ]), cookie: cookie)
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("changed by someone else"))
            let jane = try await client.send(.get, "/v1/agents/jane", token: service.adminToken)
            #expect(jane["weight"] == .number(5) && jane["name"] == .string("Jane Doe"))
            // With the page as it is now, the change goes in.
            let fresh = try #require(Self.hidden("fingerprint", in: stale))
            let saved = try await client.post("/console/agents/jane", form: Self.form([
                ("csrf_token", csrf), ("fingerprint", fresh), ("name", "Jane D."), ("account_id", "acme"), ("weight", "5"), ("active", "true"),
            ]), cookie: cookie)
            #expect(saved.status == .seeOther && saved.headers[.location] == "/console/agents/jane?done=saved", "\(saved.text)")
            #expect(try await client.send(.get, "/v1/agents/jane", token: service.adminToken)["name"] == .string("Jane D."))
        }
    }

    @Test func oneClickPauseReturnsToThePoolAndRulesMoveAndPreview() async throws {
        let service = try await ConsoleSessionTests.service()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
            let pool = try await client.send(.get, "/console/pools/buyers", headers: [.cookie: cookie])
            #expect(pool.text.contains(#"action="/console/agents/bob/pause""#))
            let csrf = try #require(ConsoleClient.csrfToken(in: pool))
            let paused = try await client.post("/console/agents/bob/pause", form: Self.form([("csrf_token", csrf), ("return_to", "/console/pools/buyers")]),
                                               cookie: cookie)
            #expect(paused.headers[.location] == "/console/pools/buyers?done=paused")
            #expect(try await client.send(.get, "/v1/agents/bob", token: service.adminToken)["active"] == .bool(false))
            let rotation = try await client.send(.get, "/v1/pools/buyers/rotation", token: service.adminToken)
            #expect(rotation["next"] == .string("jane"))
            // Another site's return_to is not followed.
            let away = try await client.post("/console/agents/bob/resume", form: Self.form([("csrf_token", csrf), ("return_to", "https://evil.example/")]),
                                             cookie: cookie)
            #expect(away.headers[.location] == "/console?done=resumed")

            _ = try await client.send(.post, "/v1/rules", token: service.adminToken,
                                      json: #"{"id":"rest","name":"Rest","priority":10,"action":{"type":"crm_round_robin","account_id":"acme"}}"#)
            let moved = try await client.post("/console/rules/rest/move-up", form: Self.form([("csrf_token", csrf)]), cookie: cookie)
            #expect(moved.status == .seeOther)
            let rules = try await client.send(.get, "/console/rules", headers: [.cookie: cookie])
            let order = ["Rest (rest)", "Zillow buyers (zillow-buyers)"].map { rules.text.range(of: $0)?.lowerBound }
            #expect(order[0] != nil && order[1] != nil && order[0]! < order[1]!, "\(rules.text)")

            // A draft rule previewed on a sample lead: what it would do, and nothing saved.
            let newRule = try await client.send(.get, "/console/rules/new", headers: [.cookie: cookie])
            let preview = try await client.post("/console/rules/new", form: Self.form([
                ("csrf_token", csrf), ("form_id", Self.hidden("form_id", in: newRule) ?? ""), ("name", "VIP to Bob"), ("priority", "1"),
                ("enabled", "true"), ("match.tags_any", "vip"), ("action", "agent:bob"), ("sample.tags", "vip"), ("intent", "preview"),
            ]), cookie: cookie)
            #expect(preview.status == .ok, "\(preview.text)")
            #expect(preview.text.contains("Preview: Bob Roe"), "\(preview.text)")
            #expect(try await client.send(.get, "/v1/rules/vip-to-bob", token: service.adminToken).status == .notFound)
        }
    }

    @Test func anAuditorSeesNoFormsAndEveryChangeIs403() async throws {
        let service = try await ConsoleClient.serviceWithAuditor()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let cookie = try await ConsoleClient.signInAuditor(client)
            let agents = try await client.send(.get, "/console/agents", headers: [.cookie: cookie])
            #expect(!agents.text.contains("/pause") && !agents.text.contains("New agent"))
            let csrf = try #require(ConsoleClient.csrfToken(in: agents))
            #expect(try await client.send(.get, "/console/agents/new", headers: [.cookie: cookie]).status == .forbidden)
            let page = try await client.send(.get, "/console/agents/jane", headers: [.cookie: cookie])
            #expect(page.status == .ok && !page.text.contains(#"name="api_key""#) && !page.text.contains("/delete"))
            for path in ["/console/accounts/new", "/console/agents/jane", "/console/agents/jane/pause", "/console/agents/jane/delete",
                         "/console/pools/buyers/edit", "/console/rules/zillow-buyers/move-down", "/console/rules/zillow-buyers/disable",
                         "/console/vendors/new", "/console/vendors/zillow/rotate-key", "/console/tokens/new", "/console/users/new",
                         "/console/policy/import", "/console/versions/1/restore", "/console/recover", "/console/simulate/route"] {
                let response = try await client.post(path, form: Self.form([("csrf_token", csrf), ("name", "x"), ("weight", "3")]), cookie: cookie)
                #expect(response.status == .forbidden, "\(path): \(response.status)")
            }
            let jane = try await client.send(.get, "/v1/agents/jane", token: service.adminToken)
            #expect(jane["active"] == .bool(true) && jane["weight"] == .number(1))
        }
    }

    @Test func aDeactivatedAccountTakesNoNewLeadsAndActivatingItUndoesThat() async throws {
        let service = try await ConsoleSessionTests.service()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
            let page = try await client.send(.get, "/console/accounts/acme", headers: [.cookie: cookie])
            let csrf = try #require(ConsoleClient.csrfToken(in: page))
            let off = try await client.post("/console/accounts/acme/deactivate", form: Self.form([("csrf_token", csrf)]), cookie: cookie)
            #expect(off.headers[.location] == "/console/accounts/acme?done=deactivated")
            #expect(try await client.send(.get, "/v1/accounts/acme", token: service.adminToken)["active"] == .bool(false))
            let preview = try await client.send(.post, "/v1/route-preview", token: service.adminToken,
                                                json: #"{"fname":"Pat","tags":"buyer","vendor_id":"zillow"}"#)
            let decision = try #require(preview["decision"]?.objectValue)
            #expect(decision["target"] == nil, "\(preview.text)")
            #expect(preview.text.contains("the agent's account is inactive") && preview.text.contains("account 'acme' is inactive"))
            let on = try await client.post("/console/accounts/acme/activate", form: Self.form([("csrf_token", csrf)]), cookie: cookie)
            #expect(on.headers[.location] == "/console/accounts/acme?done=activated")
            let again = try await client.send(.post, "/v1/route-preview", token: service.adminToken,
                                              json: #"{"fname":"Pat","tags":"buyer","vendor_id":"zillow"}"#)
            #expect(again["decision"]?.objectValue?["target"] != nil)
        }
    }
    /// A rule's field conditions and schedule, and an agent's time away and hours, through the forms:
    /// each kept when the rest of the form is edited, each error beside its input.
    @Test func fieldConditionsSchedulesAndTimeAwayInTheForms() async throws {
        let service = try await ConsoleSessionTests.service()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
            let newRule = try await client.send(.get, "/console/rules/new", headers: [.cookie: cookie])
            let csrf = try #require(ConsoleClient.csrfToken(in: newRule))
            var rule = [("csrf_token", csrf), ("form_id", Self.hidden("form_id", in: newRule) ?? ""), ("name", "Loop zips"), ("priority", "1"),
                        ("enabled", "true"), ("match.fields", "zip in 60601, 60602\nprice nearly 5"),
                        ("match.schedule.time_zone", "America/Chicago"), ("match.schedule.days", "mon, tue, wed, thu, fri"),
                        ("match.schedule.from", "09:00"), ("match.schedule.until", "17:00"), ("action", "pool:buyers")]
            let refused = try await client.post("/console/rules/new", form: Self.form(rule), cookie: cookie)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("condition 2: &#39;nearly&#39; is not an op") || refused.text.contains("condition 2: 'nearly' is not an op"),
                    "\(refused.text)")
            #expect(try await client.send(.get, "/v1/rules/loop-zips", token: service.adminToken).status == .notFound)

            rule[5] = ("match.fields", "zip in 60601, 60602\nprice gte 300000")
            let made = try await client.post("/console/rules/new", form: Self.form(rule), cookie: cookie)
            #expect(made.headers[.location] == "/console/rules/loop-zips?done=created", "\(made.text)")
            let stored = try await client.send(.get, "/v1/rules/loop-zips", token: service.adminToken)
            #expect(stored["match"]?.objectValue?["fields"] == .array([
                .object(["field": .string("zip"), "op": .string("in"), "value": .array([.string("60601"), .string("60602")])]),
                .object(["field": .string("price"), "op": .string("gte"), "value": .number(300_000)]),
            ]), "\(stored.text)")
            #expect(stored["match"]?.objectValue?["schedule"]?.objectValue?["from"] == .string("09:00"))

            // The edit page shows them as they were written; renamed, the rule keeps them.
            let page = try await client.send(.get, "/console/rules/loop-zips", headers: [.cookie: cookie])
            #expect(page.text.contains("zip in 60601, 60602\nprice gte 300000"), "\(page.text)")
            #expect(page.text.contains("only mon, tue, wed, thu, fri 09:00–17:00 America/Chicago"))
            var edit = rule.filter { $0.0 != "form_id" }.map { $0.0 == "name" ? ("name", "Loop zip codes") : $0 }
            edit.append(("fingerprint", Self.hidden("fingerprint", in: page) ?? ""))
            let renamed = try await client.post("/console/rules/loop-zips", form: Self.form(edit), cookie: cookie)
            #expect(renamed.status == .seeOther, "\(renamed.text)")
            let after = try await client.send(.get, "/v1/rules/loop-zips", token: service.adminToken)
            #expect(after["name"] == .string("Loop zip codes") && after["match"] == stored["match"])

            // A draft zip rule previewed on a sample lead with a zip of its own.
            let draft = [("csrf_token", csrf), ("name", "Evanston"), ("priority", "2"), ("enabled", "true"),
                         ("match.fields", "zip prefix 602"), ("action", "agent:bob"), ("intent", "preview")]
            let zipPreview = try await client.post("/console/rules/new", form: Self.form(draft + [("sample.fields", "zip: 60201\nprice: 450000")]),
                                                   cookie: cookie)
            #expect(zipPreview.status == .ok, "\(zipPreview.text)")
            #expect(zipPreview.text.contains("Preview: Bob Roe"), "\(zipPreview.text)")
            #expect(zipPreview.text.contains("field &#39;zip&#39; is &#39;60201&#39;") || zipPreview.text.contains("field 'zip' is '60201'"))

            // Jane goes on vacation from her page; a bad time is named beside its input.
            let jane = try await client.send(.get, "/console/agents/jane", headers: [.cookie: cookie])
            var agent = [("csrf_token", csrf), ("fingerprint", Self.hidden("fingerprint", in: jane) ?? ""), ("name", "Jane Doe"), ("account_id", "acme"),
                         ("weight", "1"), ("active", "true"), ("away_until", "after new year"), ("schedule.time_zone", ""), ("schedule.days", ""),
                         ("schedule.from", ""), ("schedule.until", "")]
            let badTime = try await client.post("/console/agents/jane", form: Self.form(agent), cookie: cookie)
            #expect(badTime.status == .badRequest)
            #expect(badTime.text.contains(#"id="f-away_until-error""#), "\(badTime.text)")
            agent[6] = ("away_until", "2099-01-05T09:00:00-06:00")
            let away = try await client.post("/console/agents/jane", form: Self.form(agent), cookie: cookie)
            #expect(away.status == .seeOther, "\(away.text)")
            #expect(try await client.send(.get, "/v1/agents/jane", token: service.adminToken)["away_until"] == .string("2099-01-05T15:00:00.000Z"))
            let janePage = try await client.send(.get, "/console/agents/jane", headers: [.cookie: cookie])
            #expect(janePage.text.contains("2099-01-05T15:00:00.000Z"))
            // The list says so where it says paused or active.
            let list = try await client.send(.get, "/console/agents", headers: [.cookie: cookie])
            #expect(list.text.contains("away until 2099-01-05T15:00:00.000Z"), "\(list.text)")
            // Back early: the input emptied clears it.
            agent[1] = ("fingerprint", Self.hidden("fingerprint", in: janePage) ?? "")
            agent[6] = ("away_until", "")
            #expect(try await client.post("/console/agents/jane", form: Self.form(agent), cookie: cookie).status == .seeOther)
            #expect(try await client.send(.get, "/v1/agents/jane", token: service.adminToken)["away_until"] == nil)
        }
    }
}
