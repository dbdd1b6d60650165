import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import Testing
import DispatcherStores
import LeadStoreSQLite

@Suite struct PolicyEntityAPITests {
    @Test func createsListsReadsPatchesAndDeletesEachKind() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)

            let agents = try await client.send(.get, "/v1/agents", token: token)
            #expect(agents.items.compactMap { $0.objectValue?["id"]?.stringValue } == ["jane", "bob"])

            let jane = try await client.send(.get, "/v1/agents/jane", token: token)
            #expect(jane.json == .object([
                "id": .string("jane"), "account_id": .string("acme"), "name": .string("Jane Doe"), "email": .string("jane@acme.example"),
                "weight": .number(1), "active": .bool(true), "api_key": .string("••••0002"),
            ]))

            let paused = try await client.send(.patch, "/v1/agents/bob", token: token, json: #"{"active":false,"daily_cap":null}"#)
            #expect(paused.status == .ok)
            #expect(paused["active"] == .bool(false))
            #expect(paused["daily_cap"] == nil)
            #expect(paused["weight"] == .number(3))

            let rule = try await client.send(.patch, "/v1/rules/zillow-buyers", token: token,
                                             json: #"{"priority":5,"match":{"campaign_ids":["spring"]},"enabled":false}"#)
            #expect(rule["priority"] == .number(5))
            #expect(rule["enabled"] == .bool(false))
            #expect(rule["match"] == .object(["campaign_ids": .array([.string("spring")])]))

            let pool = try await client.send(.patch, "/v1/pools/buyers", token: token, json: #"{"members":[{"agent_id":"bob","weight":2}],"sticky_days":30}"#)
            #expect(pool["members"] == .array([.object(["agent_id": .string("bob"), "weight": .number(2)])]))
            #expect(pool["sticky_days"] == .number(30))

            try #expect(await client.send(.delete, "/v1/rules/zillow-buyers", token: token).status == .noContent)
            try #expect(await client.send(.get, "/v1/rules/zillow-buyers", token: token).status == .notFound)
            try #expect(await client.send(.delete, "/v1/pools/buyers", token: token).status == .noContent)
            try #expect(await client.send(.delete, "/v1/agents/jane", token: token).status == .noContent)
            try #expect(await client.send(.delete, "/v1/agents/bob", token: token).status == .noContent)
            try #expect(await client.send(.delete, "/v1/accounts/acme", token: token).status == .noContent)
            try #expect(await client.send(.get, "/v1/policy", token: token).json ==
                    .object(["accounts": .array([]), "agents": .array([]), "pools": .array([]), "rules": .array([])]))
        }
    }

    @Test func generatesIDsFromNamesAndAnswersWithLocation() async throws {
        let service = try TestService()
        try await service.test { client in
            let first = try await client.send(.post, "/v1/accounts", token: service.adminToken, json: #"{"name":"Sunset Realty","admin_api_key":"bb-admin-0123456789"}"#)
            #expect(first.status == .created)
            #expect(first["id"] == .string("sunset-realty"))
            #expect(first.headers[.location] == "/v1/accounts/sunset-realty")
            let second = try await client.send(.post, "/v1/accounts", token: service.adminToken, json: #"{"name":"Sunset Realty","admin_api_key":"bb-admin-9876543210"}"#)
            #expect(second["id"] == .string("sunset-realty-2"))
        }
    }

    @Test func refusesInvalidShapesNamingTheField() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let cases: [(String, String, String)] = [
                ("/v1/accounts", #"{"name":"No Key"}"#, "admin_api_key"),
                ("/v1/accounts", #"{"name":"Masked","admin_api_key":"••••1234"}"#, "admin_api_key"),
                ("/v1/accounts", #"{"id":"Bad Id","name":"X","admin_api_key":"bb-admin-0123456789"}"#, "id"),
                ("/v1/agents", #"{"account_id":"acme","name":"Kim"}"#, "api_key"),
                ("/v1/agents", #"{"account_id":"acme","name":"Kim","api_key":"has space inside"}"#, "api_key"),
                ("/v1/agents", #"{"account_id":"acme","name":"Kim","api_key":"bb-kim-0123456789","weight":0}"#, "weight"),
                ("/v1/agents", #"{"account_id":"acme","name":"Kim","api_key":"bb-kim-0123456789","email":"kim at acme"}"#, "email"),
                ("/v1/agents", #"{"account_id":"acme","name":"Kim","api_key":"bb-kim-0123456789","daily_cap":2.5}"#, "daily_cap"),
                ("/v1/agents", #"{"account_id":"acme","api_key":"bb-kim-0123456789"}"#, "name"),
                ("/v1/pools", #"{"name":"P","members":[{"agent_id":"jane"},{"agent_id":"jane"}]}"#, "members[1].agent_id"),
                ("/v1/pools", #"{"name":"P","members":"jane"}"#, "members"),
                ("/v1/rules", #"{"name":"R","action":{"type":"agent","agent_id":"jane"}}"#, "priority"),
                ("/v1/rules", #"{"name":"R","priority":1}"#, "action"),
                ("/v1/rules", #"{"name":"R","priority":1,"action":{"type":"teleport"}}"#, "action.type"),
                ("/v1/rules", #"{"name":"R","priority":1,"action":{"type":"pool"}}"#, "action.pool_id"),
                ("/v1/rules", #"{"name":"R","priority":1,"action":{"type":"agent","agent_id":"jane"},"fallback":{"type":"crm_round_robin"}}"#, "fallback.account_id"),
                ("/v1/rules", #"{"name":"R","priority":1,"match":{"tags_any":"buyer"},"action":{"type":"agent","agent_id":"jane"}}"#, "match.tags_any"),
                ("/v1/rules", #"{"name":"R","priority":1,"match":{"campaign":["x"]},"action":{"type":"agent","agent_id":"jane"}}"#, "match.campaign"),
            ]
            for (uri, body, field) in cases {
                let response = try await client.send(.post, uri, token: token, json: body)
                #expect(response.status == .badRequest, "\(uri) \(body): \(response.text)")
                #expect(response.field == field, "\(uri) \(body): \(response.text)")
                #expect(response.error?.hasPrefix(field) == true, "\(response.text)")
            }
        }
    }

    @Test func refusesUnknownReferences() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let cases: [(String, String, String)] = [
                ("/v1/agents", #"{"account_id":"ghost","name":"Kim","api_key":"bb-kim-0123456789"}"#, "account_id"),
                ("/v1/pools", #"{"name":"P","members":[{"agent_id":"ghost"}]}"#, "members[0].agent_id"),
                ("/v1/rules", #"{"name":"R","priority":1,"action":{"type":"pool","pool_id":"ghost"}}"#, "action.pool_id"),
                ("/v1/rules", #"{"name":"R","priority":1,"action":{"type":"crm_round_robin","account_id":"ghost"}}"#, "action.account_id"),
                ("/v1/rules", #"{"name":"R","priority":1,"match":{"vendor_ids":["ghost"]},"action":{"type":"agent","agent_id":"jane"}}"#, "match.vendor_ids[0]"),
            ]
            for (uri, body, field) in cases {
                let response = try await client.send(.post, uri, token: token, json: body)
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect(response.field == field, "\(body): \(response.text)")
                #expect(response.error?.contains("ghost") == true)
            }
            let patch = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"account_id":"ghost"}"#)
            #expect(patch.status == .badRequest)
            #expect(patch.field == "account_id")
        }
    }

    @Test func refusesDuplicateIDsWith409() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            for (uri, body) in [
                ("/v1/accounts", #"{"id":"acme","name":"Again","admin_api_key":"bb-admin-0123456789"}"#),
                ("/v1/agents", #"{"id":"jane","account_id":"acme","name":"Jane 2","api_key":"bb-jane-0123456789"}"#),
                ("/v1/pools", #"{"id":"buyers","name":"Again"}"#),
                ("/v1/rules", #"{"id":"zillow-buyers","name":"Again","priority":1,"action":{"type":"agent","agent_id":"jane"}}"#),
                ("/v1/vendors", #"{"id":"zillow","name":"Again"}"#),
            ] {
                let response = try await client.send(.post, uri, token: token, json: body)
                #expect(response.status == .conflict, "\(uri): \(response.text)")
                #expect(response.field == "id")
            }
        }
    }

    @Test func refusesDeletingWhatIsStillReferenced() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let cases: [(String, String)] = [
                ("/v1/accounts/acme", "agent 'jane'"),
                ("/v1/agents/jane", "pool 'buyers'"),
                ("/v1/pools/buyers", "rule 'zillow-buyers'"),
                ("/v1/vendors/zillow", "rule 'zillow-buyers'"),
            ]
            for (uri, referrer) in cases {
                let response = try await client.send(.delete, uri, token: token)
                #expect(response.status == .conflict, "\(uri): \(response.text)")
                #expect(response.error?.contains(referrer) == true, "\(uri): \(response.text)")
            }
            try #expect(await client.send(.get, "/v1/accounts/acme", token: token).status == .ok)
        }
    }

    @Test func answers404ForUnknownIDs() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            for collection in ["accounts", "agents", "pools", "rules", "vendors", "tokens"] {
                try #expect(await client.send(.get, "/v1/\(collection)/ghost", token: token).status == .notFound)
                try #expect(await client.send(.patch, "/v1/\(collection)/ghost", token: token, json: #"{"name":"x"}"#).status == .notFound)
                try #expect(await client.send(.delete, "/v1/\(collection)/ghost", token: token).status == .notFound)
            }
        }
    }

    @Test func refusesChangingAnIDOrABadBody() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let rename = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"id":"janet"}"#)
            #expect(rename.status == .badRequest)
            #expect(rename.field == "id")
            try #expect(await client.send(.post, "/v1/agents", token: token, json: "{not json").status == .badRequest)
            try #expect(await client.send(.post, "/v1/agents", token: token, json: "[1,2]").status == .badRequest)
            let form = try await client.send(.post, "/v1/agents", token: token, json: "a=b", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)
        }
    }

    @Test func patchingAKeyReplacesItAndAMaskKeepsIt() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            let kept = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"api_key":"••••0002","name":"Jane D."}"#)
            #expect(kept["api_key"] == .string("••••0002"))
            let replaced = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"api_key":"bb-user-key-jane-9999"}"#)
            #expect(replaced["api_key"] == .string("••••9999"))
        }
    }

    /// `GET /v1/audit-events?entity_type=&entity_id=`: the history of one entity.
    @Test func theAuditLogFiltersByEntity() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            try await SamplePolicy.create(client, token: token)
            _ = try await client.send(.patch, "/v1/agents/jane", token: token, json: #"{"weight":2}"#)
            let jane = try await client.send(.get, "/v1/audit-events?entity_type=agent&entity_id=jane", token: service.auditorToken).items
            #expect(jane.compactMap { $0.objectValue?["type"]?.stringValue } == ["agent.updated", "agent.created"])
            let agents = try await client.send(.get, "/v1/audit-events?entity_type=agent", token: token).items
            #expect(agents.count == 3)
            #expect(agents.allSatisfy { $0.objectValue?["entity"]?.objectValue?["kind"] == .string("agent") })
            #expect(try await client.send(.get, "/v1/audit-events?entity_id=nobody", token: token).items.isEmpty)
            // By actor: a token's id or its name.
            let byID = try await client.send(.get, "/v1/audit-events?actor=test-admin&entity_type=agent", token: token).items
            #expect(byID.count == 3)
            #expect(try await client.send(.get, "/v1/audit-events?actor=Test%20Admin&entity_type=agent", token: token).items.count == 3)
            #expect(try await client.send(.get, "/v1/audit-events?actor=someone-else", token: token).items.isEmpty)
        }
    }
}
