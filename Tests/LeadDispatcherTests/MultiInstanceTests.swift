import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeadPolicy
import LeadStore
import PostgresNIO
import PostgresTestCluster
import Testing

/// Two `lead-dispatcher serve` processes on one PostgreSQL database, as behind a load balancer.
@Suite struct MultiInstanceTests {
    let cli: CommandLineTests
    let cluster: PostgresTestCluster
    let database: String
    let key = MasterKey.generate().base64
    let token: String

    init() async throws {
        cli = try CommandLineTests()
        cluster = try await PostgresTestCluster.shared()
        database = try await cluster.makeDatabase(prefix: "multi").name
        let created = try await cli.runAsync("token", "create", "--role", "admin", "--name", "tests", "--database", cluster.url(database: database),
                                  environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(created.status == 0, "\(created.error)")
        token = created.lastLine
    }

    /// One `serve` on a free port, ready.
    func serve(crm: String, environment: [String: String] = [:]) async throws -> (process: Process, base: String) {
        let port = try ServeCommandTests.freePort()
        let (process, _, _) = cli.process(["serve", "--port", "\(port)", "--database", cluster.url(database: database), "--crm-url", crm,
                                           "--log-level", "error", "--retry-initial-delay", "0.05", "--retry-max-delay", "0.2"],
                                          environment: ["DISPATCHER_SECRET_KEY": key].merging(environment) { $1 })
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        try await waitUntil("an instance answers ready") { await ServeCommandTests.get(base + "/readyz")?.0 == 200 }
        return (process, base)
    }

    static func send(_ method: String, _ url: String, token: String, json: String? = nil) async throws -> (Int, JSONValue) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONParser.parse(data)) ?? .null)
    }

    /// A pool of two agents weighted 3 to 1, every `buyer` lead sent to it; returns the vendor's key.
    func setUpRouting(on base: String) async throws -> String {
        for (path, body) in [
            ("/v1/accounts", #"{"id":"acme","name":"Acme","admin_api_key":"bb-admin-acme-0001"}"#),
            ("/v1/agents", #"{"id":"ann","account_id":"acme","name":"Ann","weight":3,"api_key":"bb-user-ann-00001"}"#),
            ("/v1/agents", #"{"id":"bob","account_id":"acme","name":"Bob","weight":1,"api_key":"bb-user-bob-00002"}"#),
            ("/v1/pools", #"{"id":"buyers","name":"Buyers","members":[{"agent_id":"ann"},{"agent_id":"bob"}]}"#),
            ("/v1/rules", #"{"id":"buyers","name":"Buyers","priority":1,"match":{"tags_any":["buyer"]},"action":{"type":"pool","pool_id":"buyers"}}"#),
        ] {
            let (status, body) = try await Self.send("POST", base + path, token: token, json: body)
            #expect(status == 201, "\(path): \(body)")
        }
        let (_, vendor) = try await Self.send("POST", base + "/v1/vendors", token: token, json: #"{"id":"zillow","name":"Zillow"}"#)
        return try #require(vendor.objectValue?["api_key"]?.stringValue)
    }

    /// Posts `count` leads named `lead-0`, `lead-1`, … to the instances in turn, eight at a time;
    /// returns the ids of those accepted.
    static func post(_ count: Int, to bases: [String], vendorKey: String) async throws -> [String] {
        try await withThrowingTaskGroup(of: String?.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    for index in stride(from: worker, to: count, by: 8) {
                        let base = bases[index % bases.count]
                        guard let (status, body) = try? await send("POST", base + "/clientapi/lead-import", token: vendorKey,
                                                                    json: #"{"fname":"lead-\#(index)","tags":"buyer"}"#),
                              status == 200, let id = body.objectValue?["lead_id"]?.stringValue else { continue }
                        ids.append(id)
                    }
                    return ids.joined(separator: ",")
                }
            }
            var ids: [String] = []
            for try await chunk in group { ids += (chunk ?? "").split(separator: ",").map(String.init) }
            return ids
        }
    }

    /// The agents the leads went to, in the order their decisions committed (the audit chain's order).
    func targetsInCommitOrder() async throws -> [String] {
        try await cluster.withConnection(database: database) { connection in
            try await connection.query("""
                SELECT l.target_agent_id FROM audit_event e JOIN lead l ON l.id = e.entity_id
                WHERE e.type = 'lead.routed' ORDER BY e.seq
                """, logger: PostgresTestCluster.logger).collect().map { try $0.decode(String.self) }
        }
    }

    /// What one instance deciding `count` leads one after another would have picked.
    static func oneInstancePicks(_ count: Int) -> [String] {
        let policy = Policy(accounts: [Account(id: "acme", name: "Acme")],
                            agents: [Agent(id: "ann", accountID: "acme", name: "Ann", weight: 3), Agent(id: "bob", accountID: "acme", name: "Bob", weight: 1)],
                            pools: [Pool(id: "buyers", name: "Buyers", members: [.init(agentID: "ann"), .init(agentID: "bob")])],
                            rules: [Rule(id: "buyers", name: "Buyers", priority: 1, match: .init(tagsAny: ["buyer"]), action: .pool(poolID: "buyers"))])
        var rotations: [String: PoolRotation] = [:]
        var picks: [String] = []
        for _ in 0..<count {
            let outcome = RoutingEngine.decide(Lead(vendorID: "zillow", tags: ["buyer"]), policy: policy,
                                               state: RoutingState(rotations: rotations, leadsToday: [:], previousAssignments: [], now: Date()))
            if let advanced = outcome.advanced { rotations[advanced.poolID] = advanced.rotation }
            picks.append(outcome.decision.target?.agentID ?? "-")
        }
        return picks
    }

    @Test func twoInstancesMakeOneExactRotationDeliverEachLeadOnceAndKeepOneChain() async throws {
        let crm = try await StandInServer.start()
        let first = try await serve(crm: crm.url)
        let second = try await serve(crm: crm.url)
        defer { first.process.terminate(); second.process.terminate() }
        let vendorKey = try await setUpRouting(on: first.base)

        let ids = try await Self.post(120, to: [first.base, second.base], vendorKey: vendorKey)
        #expect(ids.count == 120)
        try await waitUntil("every lead delivered", timeout: .seconds(60)) { await crm.crm.received.count >= 120 }
        // No lead twice: each name once at the CRM, and nothing more arrives.
        try await Task.sleep(for: .milliseconds(500))
        let names = await crm.crm.received.compactMap { $0.fields["fname"]?.stringValue }
        #expect(names.count == 120 && Set(names).count == 120, "\(names.count) deliveries of \(Set(names).count) leads")

        // The rotation is the one one instance would have made in the order the decisions committed.
        let picks = try await targetsInCommitOrder()
        #expect(picks == Self.oneInstancePicks(120))
        #expect(picks.filter { $0 == "ann" }.count == 90)

        let verified = try await cli.runAsync("audit", "verify", "--database", cluster.url(database: database), environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(verified.status == 0 && verified.lastLine.contains(#""ok":true"#), "\(verified.output)")
        await crm.stop()
    }

    @Test func aKilledInstancesLeadsAreDeliveredByTheOther() async throws {
        let crm = try await StandInServer.start()
        // Slow answers keep leads claimed by the instance that is killed; short leases let the other take them.
        await crm.crm.answer(otherwise: .slow(seconds: 0.2))
        let fast = ["DISPATCHER_DELIVERY_TIMEOUT": "0.5", "DISPATCHER_CLAIM_LEASE_MARGIN": "1", "DISPATCHER_DELIVERY_CONCURRENCY": "4"]
        let doomed = try await serve(crm: crm.url, environment: fast)
        let survivor = try await serve(crm: crm.url, environment: fast)
        defer { doomed.process.terminate(); survivor.process.terminate() }
        let vendorKey = try await setUpRouting(on: survivor.base)

        async let posted = Self.post(120, to: [doomed.base, survivor.base], vendorKey: vendorKey)
        try await waitUntil("deliveries under way", timeout: .seconds(30)) { await crm.crm.received.count >= 10 }
        kill(doomed.process.processIdentifier, SIGKILL)
        let accepted = try await posted
        #expect(accepted.count >= 60, "the survivor took its half at least")

        // Every lead accepted (by either) is delivered at least once: the killed one's claims are taken over.
        try await waitUntil("every accepted lead delivered", timeout: .seconds(90)) {
            guard let (status, body) = try? await Self.send("GET", survivor.base + "/v1/leads?status=delivered&limit=500", token: token),
                  status == 200, case .array(let items)? = body.objectValue?["items"] else { return false }
            let delivered = Set(items.compactMap { $0.objectValue?["lead_id"]?.stringValue })
            return Set(accepted).isSubset(of: delivered)
        }
        let names = Set(await crm.crm.received.compactMap { $0.fields["fname"]?.stringValue })
        #expect(names.count >= accepted.count)
        let verified = try await cli.runAsync("audit", "verify", "--database", cluster.url(database: database), environment: ["DISPATCHER_SECRET_KEY": key])
        #expect(verified.status == 0, "\(verified.output)")
        await crm.stop()
    }
}
