import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import Testing
import DispatcherStores
import LeadStoreSQLite

@Suite struct AuthTests {
    /// Every route under /v1, with a path that exists after `SamplePolicy.create`.
    static let routes: [(HTTPRequest.Method, String)] = {
        var routes: [(HTTPRequest.Method, String)] = []
        for (collection, id) in [("accounts", "acme"), ("agents", "jane"), ("pools", "buyers"), ("rules", "zillow-buyers"), ("vendors", "zillow"), ("tokens", "test-auditor")] {
            routes += [(.get, "/v1/\(collection)"), (.post, "/v1/\(collection)"), (.get, "/v1/\(collection)/\(id)"),
                       (.patch, "/v1/\(collection)/\(id)"), (.delete, "/v1/\(collection)/\(id)")]
        }
        routes += [(.post, "/v1/vendors/zillow/rotate-key"), (.get, "/v1/policy"), (.put, "/v1/policy"), (.get, "/v1/audit-events"),
                   (.get, "/v1/audit-events/verify"), (.get, "/v1/policy/versions"), (.get, "/v1/policy/versions/1"),
                   (.post, "/v1/policy/simulate"), (.get, "/v1/leads"), (.get, "/v1/leads.csv"), (.get, "/v1/stats/distribution"),
                   (.post, "/v1/route-preview"), (.get, "/v1/leads/ld_x"), (.post, "/v1/leads/ld_x/redeliver"), (.post, "/v1/leads/ld_x/reroute")]
        return routes
    }()

    @Test func everyV1RouteNeedsALiveToken() async throws {
        let service = try TestService()
        try await service.test { client in
            for (method, uri) in Self.routes {
                let anonymous = try await client.send(method, uri, json: method == .get ? nil : "{}")
                #expect(anonymous.status == .unauthorized, "\(method) \(uri)")
                #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                let forged = try await client.send(method, uri, token: "ldt_forged", json: method == .get ? nil : "{}")
                #expect(forged.status == .unauthorized, "\(method) \(uri)")
                let malformed = try await client.send(method, uri, headers: [.authorization: "Basic YWRtaW46YWRtaW4="])
                #expect(malformed.status == .unauthorized, "\(method) \(uri)")
            }
        }
    }

    @Test func auditorsReadEverythingAndChangeNothing() async throws {
        let service = try TestService()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            for (method, uri) in Self.routes {
                let response = try await client.send(method, uri, token: service.auditorToken, json: method == .get ? nil : "{}")
                if method == .get {
                    // Allowed: answered (a lead that does not exist is a 404, not a refusal).
                    #expect(response.status == (uri.hasPrefix("/v1/leads/ld_") ? .notFound : .ok), "\(method) \(uri): \(response.text)")
                } else {
                    #expect(response.status == .forbidden, "\(method) \(uri): \(response.text)")
                    #expect(response.error?.contains("auditor") == true)
                }
            }
            // Refused writes changed nothing.
            try #expect(await client.send(.get, "/v1/agents/jane", token: service.auditorToken).status == .ok)
        }
    }

    @Test func adminsMayDoEverything() async throws {
        let service = try TestService()
        try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            for (method, uri) in Self.routes where method == .get {
                let expected: HTTPResponse.Status = uri.hasPrefix("/v1/leads/ld_") ? .notFound : .ok
                try #expect(await client.send(method, uri, token: service.adminToken).status == expected, "\(uri)")
            }
            let write = try await client.send(.patch, "/v1/agents/jane", token: service.adminToken, json: #"{"weight":2}"#)
            #expect(write.status == .ok)
        }
    }

    @Test func aRevokedTokenIsRefusedAtOnce() async throws {
        let service = try TestService()
        try await service.test { client in
            let created = try await client.send(.post, "/v1/tokens", token: service.adminToken, json: #"{"name":"temp","role":"admin"}"#)
            let secret = try #require(created["token"]?.stringValue)
            let id = try #require(created["id"]?.stringValue)
            try #expect(await client.send(.get, "/v1/tokens", token: secret).status == .ok)
            try #expect(await client.send(.delete, "/v1/tokens/\(id)", token: service.adminToken).status == .noContent)
            try #expect(await client.send(.get, "/v1/tokens", token: secret).status == .unauthorized)
        }
    }

    @Test func operationalRoutesNeedNoToken() async throws {
        let service = try TestService()
        try await service.test { client in
            for uri in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
                try #expect(await client.send(.get, uri).status == .ok, "\(uri)")
            }
        }
    }
}
