import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// What AsyncHTTPClient alone takes to the stand-in CRM: `concurrency` loops posting the delivery
/// body, configured as the delivery worker configures its client, with no database, claim or record.
/// The drain cannot be faster than this, whatever the store does; wrk against the same stand-in is
/// the stand-in's own ceiling, and the gap between the two is the client's, not the dispatcher's.
struct ClientCeilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client-ceiling", abstract: "Post to a CRM with AsyncHTTPClient alone, as fast as it goes.")

    @Option(help: "The CRM endpoint.") var url = "http://127.0.0.1:18081/clientapi/lead-import"
    @Option(help: "Requests in flight.") var concurrency = 32
    @Option(help: "Seconds to post for.") var seconds: Double = 10

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, concurrency)
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let body = ByteBuffer(string: #"{"api_key":"bench-agent-key-agent-000","email":"lead1@example.com","fname":"Pat","lname":"Lee 1","phone":"555-0101","request_subject":"Showing request","request_details":"Wants to see 12 Elm St on Saturday","campaign_id":"spring-open-house","tags":"buyer"}"#)
        let url = self.url
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
        let started = clock.now
        let counts = try await withThrowingTaskGroup(of: (ok: Int, failed: Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var ok = 0, failed = 0
                    while clock.now < deadline {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "User-Agent", value: "lead-dispatcher")
                        request.headers.add(name: "Accept", value: "application/json")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(body)
                        do {
                            let response = try await http.execute(request, timeout: .seconds(10))
                            _ = try await response.body.collect(upTo: 256 * 1024)
                            if response.status == .ok { ok += 1 } else { failed += 1 }
                        } catch {
                            failed += 1
                        }
                    }
                    return (ok, failed)
                }
            }
            return try await group.reduce(into: (ok: 0, failed: 0)) { $0.ok += $1.ok; $0.failed += $1.failed }
        }
        let elapsed = clock.now - started
        try await http.shutdown()
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(#"{"requests":\#(counts.ok),"failed":\#(counts.failed),"seconds":\#(String(format: "%.2f", wall)),"requests_per_second":\#(Int(Double(counts.ok) / wall))}"#)
    }
}
