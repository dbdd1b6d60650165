import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// Posts a fixed number of distinct leads to a running dispatcher, as vendors do, from `concurrency`
/// loops: what the footprint benchmark measures a lead's whole life with. Each lead has 13 fields.
struct PostLeadsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "post-leads", abstract: "Post N distinct leads to the ingest endpoint.")

    @Option(help: "The ingest endpoint.") var url = "http://127.0.0.1:18380/clientapi/lead-import"
    @Option(help: "The vendor key.") var key: String
    @Option(help: "Leads to post.") var leads = 3000
    @Option(help: "Requests in flight.") var concurrency = 16

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, concurrency)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let (url, key, total, concurrency) = (url, key, leads, concurrency)
        let failed = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var failed = 0
                    for index in stride(from: worker, to: total, by: concurrency) {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Authorization", value: "Bearer \(key)")
                        request.body = .bytes(ByteBuffer(string: Self.lead(index)))
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 64 * 1024)
                        if response.status != .ok { failed += 1 }
                    }
                    return failed
                }
            }
            return try await group.reduce(0, +)
        }
        try await http.shutdown()
        guard failed == 0 else { throw ValidationError("\(failed) of \(total) leads were refused") }
    }

    /// Thirteen fields, as a portal's lead carries them.
    static func lead(_ index: Int) -> String {
        #"{"email":"footprint-\#(index)@example.com","fname":"Pat","lname":"Lee \#(index)","phone":"555-01\#(index % 100)","#
            + #""request_subject":"Showing request","request_details":"Wants to see 12 Elm St on Saturday","notes":"Pre-approved","#
            + #""campaign_id":"spring-open-house","tags":"buyer","rating":"4","buyer_status":"Ready","site_url":"https://homes.example/12-elm","#
            + #""welcome_email":"1"}"#
    }
}
