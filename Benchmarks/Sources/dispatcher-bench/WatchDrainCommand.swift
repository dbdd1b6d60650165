import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// Polls a running dispatcher's `/metrics` until its outbox is empty, and reports how fast it drained:
/// the backlog seen at the first answer divided by the time until `dispatcher_outbox_depth` read 0.
struct WatchDrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch-drain", abstract: "Time a delivery backlog draining.")

    @Option(help: "The dispatcher's /metrics URL.") var metrics: String
    @Option(help: "Give up after this many seconds.") var timeout: Double = 600

    func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        let deadline = Date().addingTimeInterval(timeout)
        var first: (at: Date, depth: Int)?
        while Date() < deadline {
            if let depth = try? await depth(client) {
                let now = Date()
                if first == nil { first = (now, depth) }
                if depth == 0, let first {
                    let seconds = now.timeIntervalSince(first.at)
                    print(#"{"benchmark":"drain","leads":\#(first.depth),"seconds":\#(String(format: "%.2f", seconds)),"leads_per_second":\#(String(format: "%.0f", Double(first.depth) / max(seconds, 0.001)))}"#)
                    return
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("the outbox did not drain within \(timeout) s")
    }

    private func depth(_ client: HTTPClient) async throws -> Int? {
        let response = try await client.execute(HTTPClientRequest(url: metrics), timeout: .seconds(5))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        for line in text.split(separator: "\n") where line.hasPrefix("dispatcher_outbox_depth ") {
            return Double(line.split(separator: " ").last ?? "").map { Int($0) }
        }
        return nil
    }
}
