import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import Testing
import DispatcherStores
import LeadStoreSQLite

@Suite struct OperationsTests {
    @Test func healthAndReadiness() async throws {
        let service = try TestService()
        try await service.test { client in
            let health = try await client.send(.get, "/healthz")
            #expect(health.json == .object(["status": .string("ok")]))
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready["status"] == .string("ready"))
            #expect(ready["migrations"] == .array([.string("v1-config-plane"), .string("v2-dispatch"), .string("v3-audit-plane"), .string("v4-lean-write-path"),
                                              .string("v5-restorable-versions"), .string("v6-console-users"),
                                              .string("v7-account-active"), .string("v8-decisions-rederived"),
                                              .string("v9-rotation-checkpoints"), .string("v10-audit-prev-hash-derived"),
                                              .string("v11-rotations-from-checkpoints"), .string("v12-audit-type-index-for-rare-types"),
                                              .string("v13-agent-time")]))
        }
    }

    /// A request no route takes is answered in JSON: 404 for a path that does not exist, 405 with
    /// `Allow` for a known path asked with another method.
    @Test func unknownRoutesAndWrongMethodsAnswerJSON() async throws {
        let service = try TestService()
        try await service.test { client in
            let unknown = try await client.send(.get, "/v1/agentz", token: service.adminToken)
            #expect(unknown.status == .notFound)
            #expect(unknown.error?.contains("/v1/agentz") == true, "\(unknown.text)")
            let wrong = try await client.send(.delete, "/healthz")
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET")
            #expect(wrong.error?.contains("DELETE") == true, "\(wrong.text)")
            let put = try await client.send(.put, "/v1/agents", token: service.adminToken, json: "{}")
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, POST")
            let restoreByGet = try await client.send(.get, "/v1/policy/versions/1/restore", token: service.adminToken)
            #expect(restoreByGet.status == .methodNotAllowed)
            #expect(restoreByGet.headers[.allow] == "POST")
        }
    }

    @Test func everyResponseCarriesARequestID() async throws {
        let service = try TestService()
        try await service.test { client in
            let ok = try await client.send(.get, "/healthz")
            let refused = try await client.send(.get, "/v1/agents")
            let first = try #require(ok.headers[HTTPField.Name("X-Request-Id")!])
            let second = try #require(refused.headers[HTTPField.Name("X-Request-Id")!])
            #expect(!first.isEmpty && first != second)
        }
    }

    @Test func metricsCountRequestsInPrometheusText() async throws {
        let service = try TestService()
        try await service.test { client in
            for _ in 0..<3 { _ = try await client.send(.get, "/v1/agents", token: service.adminToken) }
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let line = metrics.text.split(separator: "\n").first { $0.hasPrefix("hb_requests") && $0.contains("/v1/agents") && $0.contains("200") }
            #expect(line != nil, "\(metrics.text)")
            #expect(metrics.text.contains("http_server_request_duration"), "\(metrics.text)")
        }
    }

    @Test func metricsShowThePipeline() async throws {
        try await IngestTests.withVendor { client, key, service in
            for index in 0..<3 {
                let response = try await IngestTests.post(client, body: #"{"api_key":"\#(key)","fname":"Pat","email":"pat\#(index)@example.com","tags":"buyer"}"#,
                                                          contentType: "application/json")
                #expect(response.status == .ok, "\(response.text)")
            }
            _ = try await IngestTests.post(client, body: #"{"api_key":"\#(key)"}"#, contentType: "application/json")
            let text = try await client.send(.get, "/metrics").text
            for expected in [
                #"dispatcher_ingest_total{vendor="zillow",outcome="queued"}"#,
                #"dispatcher_ingest_total{vendor="zillow",outcome="refused_400"}"#,
                "dispatcher_decision_duration_seconds_count",
                #"dispatcher_commit_batch_size_count{path="ingest"}"#,
                #"dispatcher_commit_duration_seconds_count{path="ingest"}"#,
                "dispatcher_outbox_depth ",
                "dispatcher_outbox_oldest_pending_seconds ",
                "dispatcher_leads_dead ",
                "dispatcher_ingest_writer_busy_ratio ",
            ] {
                #expect(text.contains(expected), "/metrics lacks \(expected)")
            }
            // The backlog gauges come from the database at each scrape.
            let snapshot = try #require(try await service.store?.pipelineSnapshot())
            #expect(snapshot.outboxDepth == 3)
        }
    }

    @Test func concurrentLeadsThroughTheEndpointRotateExactly() async throws {
        try await IngestTests.withVendor { client, key, service in
            // jane weight 1, bob weight 3: sixteen leads give four and twelve, however they are batched.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let response = try await IngestTests.post(client, body: #"{"api_key":"\#(key)","fname":"Pat","email":"c\#(index)@example.com","tags":"buyer"}"#,
                                                                  contentType: "application/json")
                        #expect(response.status == .ok, "\(response.text)")
                    }
                }
                try await group.waitForAll()
            }
            let jane = try await client.send(.get, "/v1/leads?agent_id=jane", token: service.auditorToken).items.count
            let bob = try await client.send(.get, "/v1/leads?agent_id=bob", token: service.auditorToken).items.count
            #expect(jane == 4 && bob == 12, "jane \(jane), bob \(bob)")
        }
    }

    @Test func servesTheOpenAPIDocumentFromDocs() async throws {
        let service = try TestService()
        try await service.test { client in
            let served = try await client.send(.get, "/openapi.yaml")
            #expect(served.headers[.contentType]?.hasPrefix("application/yaml") == true)
            let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Docs/openapi.yaml")
            #expect(served.text == (try String(contentsOf: docs, encoding: .utf8)))
            for path in ["/v1/accounts", "/v1/agents/{id}", "/v1/pools", "/v1/rules", "/v1/vendors", "/v1/tokens", "/v1/policy",
                         "/v1/audit-events", "/healthz", "/readyz", "/metrics", "/clientapi/lead-import", "/v1/leads/{id}",
                         "/v1/leads/{id}/redeliver", "/v1/leads/{id}/reroute", "/v1/route-preview"] {
                #expect(served.text.contains("  \(path):"), "openapi.yaml lacks \(path)")
            }
        }
    }

    @Test func theWriterLockKeepsASecondServiceOff() async throws {
        let service = try TestService()
        try await service.test { _ in
            #expect(throws: (any Error).self) { _ = try DispatcherStores.openStore(service.settings) }
        }
    }
}
