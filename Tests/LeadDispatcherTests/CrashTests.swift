import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeadPolicy
import Testing

/// The real binary killed with SIGKILL in the middle of a stream of leads: every lead that got a 200
/// is in the database after a restart and reaches the CRM.
@Suite(.serialized) struct CrashTests {
    struct Binary {
        let directory: URL
        let port: Int
        let crmURL: String
        var database: String { directory.appendingPathComponent("data/dispatcher.sqlite").path }

        func start() throws -> Process {
            let process = Process()
            process.executableURL = CommandLineTests.binary
            process.arguments = ["serve", "--port", "\(port)", "--database", database, "--crm-url", crmURL, "--log-level", "error",
                                 "--retry-initial-delay", "0.05", "--retry-max-delay", "0.2"]
            process.currentDirectoryURL = directory
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }

        func waitUntilReady() async throws {
            try await waitUntil("the service becomes ready") { await ServeCommandTests.get("http://127.0.0.1:\(port)/readyz")?.0 == 200 }
        }

        func send(_ method: String, _ path: String, token: String? = nil, json: String) async -> (Int, [String: JSONValue])? {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.timeoutInterval = 5
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            request.httpBody = Data(json.utf8)
            guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
            let object = (try? JSONDecoder().decode(JSONValue.self, from: data))?.objectValue ?? [:]
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
        }
    }

    @Test func noAcceptedLeadIsLostToAKillMidStream() async throws {
        let server = try await StandInServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = Binary(directory: directory, port: try ServeCommandTests.freePort(), crmURL: server.url)

        let create = Process()
        create.executableURL = CommandLineTests.binary
        create.arguments = ["token", "create", "--role", "admin", "--database", binary.database]
        let output = Pipe()
        create.standardOutput = output
        try create.run()
        let token = try await offThePool {
            let token = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            create.waitUntilExit()
            return token
        }

        var process = try binary.start()
        try await binary.waitUntilReady()
        let policy = #"{"accounts":[{"id":"acme","name":"Acme","admin_api_key":"bb-admin-crash-000001"}],"agents":[{"id":"a","account_id":"acme","name":"A","api_key":"bb-agent-a-crash-0001"},{"id":"b","account_id":"acme","name":"B","api_key":"bb-agent-b-crash-0002"}],"pools":[{"id":"p","name":"P","members":[{"agent_id":"a"},{"agent_id":"b"}]}],"rules":[{"id":"all","name":"All","priority":1,"action":{"type":"pool","pool_id":"p"}}]}"#
        #expect(await binary.send("PUT", "/v1/policy", token: token, json: policy)?.0 == 200)
        let vendor = await binary.send("POST", "/v1/vendors", token: token, json: #"{"id":"v","name":"V"}"#)
        let key = try #require(vendor?.1["api_key"]?.stringValue)

        // Four clients push leads; the process is killed while they do.
        let accepted = Accepted()
        let pid = process.processIdentifier
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    for index in 0..<150 {
                        let name = "c\(client)-\(index)"
                        guard let (status, body) = await binary.send("POST", "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"\#(name)"}"#) else { return }
                        if status == 200, let id = body["lead_id"]?.stringValue { await accepted.add(id, name: name) }
                    }
                }
            }
            group.addTask {
                try? await waitUntil("120 leads are accepted before the crash", interval: .milliseconds(2)) { await accepted.count >= 120 }
                kill(pid, SIGKILL)
            }
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let acceptedLeads = await accepted.leads

        process = try binary.start()
        defer { if process.isRunning { process.terminate() } }
        try await binary.waitUntilReady()
        var missing = acceptedLeads.map(\.id)
        var undelivered = missing
        try await waitUntil("every accepted lead is delivered after the crash", timeout: .seconds(60)) {
            var stillMissing: [String] = []
            var stillUndelivered: [String] = []
            for id in undelivered {
                guard let lead = await ServeCommandTests.get("http://127.0.0.1:\(binary.port)/v1/leads/\(id)", token: token) else {
                    stillUndelivered.append(id)
                    continue
                }
                if lead.0 == 404 { stillMissing.append(id) }
                if !lead.1.contains(#""status":"delivered""#) { stillUndelivered.append(id) }
            }
            missing = stillMissing
            undelivered = stillUndelivered
            return undelivered.isEmpty
        }
        let received = Set(await server.crm.received.compactMap { $0.fields["fname"]?.stringValue })
        let lost = acceptedLeads.filter { !received.contains($0.name) }
        print("crash test: \(acceptedLeads.count) leads answered 200 before SIGKILL; \(missing.count) missing after restart; \(undelivered.count) undelivered; \(lost.count) lost")
        #expect(acceptedLeads.count >= 120)
        #expect(missing.isEmpty)
        #expect(undelivered.isEmpty)
        #expect(lost.isEmpty)
        process.terminate()
        process.waitUntilExit()
        await server.stop()
    }

    actor Accepted {
        private(set) var leads: [(id: String, name: String)] = []
        var count: Int { leads.count }
        func add(_ id: String, name: String) { leads.append((id, name)) }
    }
}
