import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeadPolicy
import LeadStore
import PostgresTestCluster
import Testing

/// PostgreSQL restarted under a running `serve`: requests are answered 503 at once (never left
/// hanging), no lead is acknowledged without its commit, and the service recovers by itself.
@Suite struct PostgresOutageTests {
    @Test func aRestartedServerMeans503sThenRecoveryWithEveryAcknowledgedLeadKept() async throws {
        let cluster = try await PostgresTestCluster.startPrivate()
        let database = try await cluster.makeDatabase(prefix: "outage").name
        let cli = try CommandLineTests()
        let key = MasterKey.generate().base64
        let url = cluster.url(database: database)
        let token = try await cli.runAsync("token", "create", "--role", "admin", "--name", "tests", "--database", url,
                                environment: ["DISPATCHER_SECRET_KEY": key]).lastLine
        let crm = try await StandInServer.start()
        let port = try ServeCommandTests.freePort()
        // A delivery whose record the restart cut off stays claimed until its lease ends: short leases here.
        let (serve, _, _) = cli.process(["serve", "--port", "\(port)", "--database", url, "--crm-url", crm.url, "--log-level", "critical"],
                                        environment: ["DISPATCHER_SECRET_KEY": key, "DISPATCHER_DELIVERY_TIMEOUT": "2",
                                                      "DISPATCHER_CLAIM_LEASE_MARGIN": "1"])
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { serve.terminate() }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntil("ready") { await ServeCommandTests.get(base + "/readyz")?.0 == 200 }
        _ = try await MultiInstanceTests.send("POST", base + "/v1/accounts", token: token,
                                              json: #"{"id":"acme","name":"Acme","admin_api_key":"bb-admin-acme-0001"}"#)
        _ = try await MultiInstanceTests.send("POST", base + "/v1/rules", token: token,
                                              json: #"{"id":"all","name":"All","priority":1,"action":{"type":"crm_round_robin","account_id":"acme"}}"#)
        let (_, vendor) = try await MultiInstanceTests.send("POST", base + "/v1/vendors", token: token, json: #"{"id":"zillow","name":"Zillow"}"#)
        let vendorKey = try #require(vendor.objectValue?["api_key"]?.stringValue)

        var acknowledged: [String] = []
        var refused = 0
        func post(_ name: String) async throws -> (Int, Double) {
            let started = Date()
            let (status, body) = try await MultiInstanceTests.send("POST", base + "/clientapi/lead-import", token: vendorKey,
                                                                   json: #"{"fname":"\#(name)"}"#)
            if status == 200, let id = body.objectValue?["lead_id"]?.stringValue { acknowledged.append(id) }
            if status == 503 { refused += 1 }
            return (status, Date().timeIntervalSince(started))
        }
        #expect(try await post("before").0 == 200)

        try await cluster.stopServer()
        // Within seconds every request is refused at once: ingest, the API, and readiness.
        try await waitUntil("ingest answers 503", timeout: .seconds(20)) { (try? await post("during").0) == 503 }
        let (status, seconds) = try await post("during")
        #expect(status == 503 && seconds < 1, "\(status) after \(seconds) s")
        #expect(try await MultiInstanceTests.send("GET", base + "/v1/leads", token: token).0 == 503)
        #expect(await ServeCommandTests.get(base + "/readyz")?.0 == 503)

        try await cluster.startServer()
        try await waitUntil("ingest answers 200 again", timeout: .seconds(30)) { (try? await post("after").0) == 200 }
        #expect(await ServeCommandTests.get(base + "/readyz")?.0 == 200)
        #expect(refused >= 2)

        // Every lead answered 200 is stored, and delivered (a delivery caught by the restart itself is
        // given up on after `PostgresStore.operationLimit`, or its claim's lease ends, then claimed again).
        try await waitUntil("every acknowledged lead delivered", timeout: .seconds(75)) {
            guard let (status, body) = try? await MultiInstanceTests.send("GET", base + "/v1/leads?status=delivered&limit=500", token: token),
                  status == 200, case .array(let items)? = body.objectValue?["items"] else { return false }
            return Set(acknowledged).isSubset(of: Set(items.compactMap { $0.objectValue?["lead_id"]?.stringValue }))
        }
        await crm.stop()
    }
}
