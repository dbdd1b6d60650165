import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// An auditor answers "who got this lead, when, and why?" in the console.
@Suite struct ConsoleLeadPagesTests {
    @Test func anAuditorFindsALeadByEmailAndSeesWhoGotItAndWhy() async throws {
        let service = try await ConsoleClient.serviceWithAuditor()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
            var ids: [String] = []
            for (index, tags) in ["buyer", "seller", "buyer"].enumerated() {
                let posted = try await client.send(.post, "/clientapi/lead-import",
                                                   json: #"{"api_key":"\#(key)","fname":"Pat","email":"pat\#(index)@example.com","tags":"\#(tags)"}"#)
                ids.append(try #require(posted["lead_id"]?.stringValue))
            }
            let cookie = try await ConsoleClient.signInAuditor(client)

            let search = try await client.send(.get, "/console/leads?email=pat0%40example.com", headers: [.cookie: cookie])
            #expect(search.status == .ok)
            #expect(search.text.contains(#"href="/console/leads/\#(ids[0])""#))
            #expect(!search.text.contains(ids[2]))
            #expect(search.text.contains(#"value="pat0@example.com""#), "the filter is shown again")
            #expect(search.text.contains(#"href="/console/leads.csv?email=pat0%40example.com""#))
            // An auditor's pages hold no form but the search and the sign-out.
            #expect(search.text.components(separatedBy: "<form").count - 1 == 2)
            #expect(search.text.contains(#"<form class="filters" method="get""#))

            let lead = try await client.send(.get, "/console/leads/\(ids[0])", headers: [.cookie: cookie])
            #expect(lead.status == .ok)
            #expect(lead.text.contains("Zillow buyers") && lead.text.contains("zillow-buyers"), "the deciding rule by name and id")
            #expect(lead.text.contains("Jane Doe (jane)") || lead.text.contains("Bob Roe (bob)"), "the agent by name")
            #expect(lead.text.contains("smooth weighted round robin"))
            #expect(lead.text.contains("pat0@example.com"))

            let unrouted = try await client.send(.get, "/console/leads/\(ids[1])", headers: [.cookie: cookie])
            #expect(unrouted.text.contains("not matched") && unrouted.text.contains("nobody"))

            let csv = try await client.send(.get, "/console/leads.csv?email=pat0%40example.com", headers: [.cookie: cookie])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.split(separator: "\r\n").count == 2)
            #expect(csv.text.contains(ids[0]))
        }
    }

    @Test func badFiltersAndMissingLeadsAreSaidOnThePage() async throws {
        let service = try await ConsoleClient.serviceWithAuditor()
        try await service.test { client in
            let cookie = try await ConsoleClient.signInAuditor(client)
            let badDate = try await client.send(.get, "/console/leads?since=last+tuesday", headers: [.cookie: cookie])
            #expect(badDate.status == .badRequest)
            #expect(badDate.text.contains("since: must be an RFC 3339 time"))
            let unknownAgent = try await client.send(.get, "/console/leads?agent_id=maria-lopz", headers: [.cookie: cookie])
            #expect(unknownAgent.status == .ok)
            #expect(unknownAgent.text.contains("There is no agent &#39;maria-lopz&#39; in the policy now."))
            let missing = try await client.send(.get, "/console/leads/ld_nope", headers: [.cookie: cookie])
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("There is no lead &#39;ld_nope&#39;."))
            #expect(try await client.send(.get, "/console/nowhere", headers: [.cookie: cookie]).status == .notFound)
            // Signed out, every console page leads to the sign-in page, remembering where it was going.
            let away = try await client.send(.get, "/console/leads?status=dead")
            #expect(away.status == .seeOther)
            #expect(away.headers[.location] == "/console/login?next=/console/leads%3Fstatus%3Ddead")
            #expect(try await client.send(.get, "/console/nowhere").status == .seeOther)
        }
    }

    @Test func theListsShowThePolicyInWordsAndNoKey() async throws {
        let service = try await ConsoleClient.serviceWithAuditor()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let cookie = try await ConsoleClient.signInAuditor(client)
            let pages = ["/console/agents": ["Jane Doe (jane)", "Bob Roe (bob)", "/console/leads?agent_id=jane"],
                         "/console/rules": ["Zillow buyers (zillow-buyers)", "a tag among buyer; and vendor is zillow", "pool Buyers (round robin)",
                                            "Acme Realty&#39;s CRM Round Robin"],
                         "/console/vendors": ["Zillow (zillow)", "/console/leads?vendor_id=zillow"],
                         "/console/tokens": ["Test Admin", "admin", "live"],
                         "/console/users": ["ann@sunset.example", "auditor", "enabled"]]
            for (path, expected) in pages {
                let page = try await client.send(.get, path, headers: [.cookie: cookie])
                #expect(page.status == .ok, "\(path)")
                for text in expected { #expect(page.text.contains(text), "\(path) lacks \(text)") }
                for secret in [SamplePolicy.adminKey, SamplePolicy.janeKey, SamplePolicy.bobKey, service.adminToken] {
                    #expect(!page.text.contains(secret), "\(path) shows a key")
                }
            }
        }
    }

    @Test func theAuditLogFiltersByEntityAndTheChainVerifiesWithItsNewestHash() async throws {
        let service = try await ConsoleClient.serviceWithAuditor()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            _ = try await client.send(.patch, "/v1/agents/jane", token: service.adminToken, json: #"{"weight":2}"#)
            let cookie = try await ConsoleClient.signInAuditor(client)
            let jane = try await client.send(.get, "/console/audit?entity_type=agent&entity_id=jane", headers: [.cookie: cookie])
            #expect(jane.status == .ok)
            #expect(jane.text.contains("agent.updated") && jane.text.contains("agent.created"))
            #expect(!jane.text.contains("pool.created"))
            #expect(jane.text.contains("Test Admin (token)"))
            let bad = try await client.send(.get, "/console/audit?since=never", headers: [.cookie: cookie])
            #expect(bad.status == .badRequest && bad.text.contains("since: must be an RFC 3339 time"))
            #expect(try await client.send(.get, "/console", headers: [.cookie: cookie]).text.contains("Not verified since the service started."))
            let verify = try await client.send(.get, "/console/audit/verify", headers: [.cookie: cookie])
            let newest = try #require(try await client.send(.get, "/v1/audit-events/verify", token: service.auditorToken)["newest_hash"]?.stringValue)
            #expect(verify.text.contains("Intact:") && verify.text.contains(newest))
            // The front page remembers the last verification.
            let front = try await client.send(.get, "/console", headers: [.cookie: cookie])
            #expect(front.text.contains("Last verified: intact at") && front.text.contains(newest))
        }
    }

    @Test func eachPolicyVersionShowsWhatChangedSinceTheOneBefore() async throws {
        let service = try await ConsoleClient.serviceWithAuditor()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            _ = try await client.send(.patch, "/v1/agents/jane", token: service.adminToken, json: #"{"weight":2}"#)
            let latest = try #require(try await client.send(.get, "/v1/policy/versions", token: service.auditorToken).items.first?
                .objectValue?["version"]?.intValue)
            let cookie = try await ConsoleClient.signInAuditor(client)
            let list = try await client.send(.get, "/console/versions", headers: [.cookie: cookie])
            #expect(list.text.contains(#"href="/console/versions/\#(latest)""#) && list.text.contains("Test Admin (token)"))
            let page = try await client.send(.get, "/console/versions/\(latest)", headers: [.cookie: cookie])
            #expect(page.text.contains("What changed since version \(latest - 1)"))
            #expect(page.text.contains("<strong>agents jane</strong> changed"))
            #expect(page.text.contains("<td>weight</td><td>1</td><td>2</td>"), "\(page.text)")
            #expect(!page.text.contains(SamplePolicy.janeKey))
            let first = try await client.send(.get, "/console/versions/1", headers: [.cookie: cookie])
            #expect(first.text.contains("What it set up") && first.text.contains("<strong>accounts acme</strong> added"))
            #expect(try await client.send(.get, "/console/versions/999", headers: [.cookie: cookie]).status == .notFound)
            #expect(try await client.send(.get, "/console/versions/x", headers: [.cookie: cookie]).status == .notFound)
        }
    }
}
