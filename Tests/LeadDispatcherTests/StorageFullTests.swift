import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadPolicy
import Logging
import NIOCore
import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// A full disk is a condition to ride out, not a bug: leads are answered 503 with `Retry-After`, the
/// service says not ready, the log says so once, and everything accepted stays; space returns and it
/// recovers by itself. On a tmpfs the test mounts itself (the machines here run as root; `.ci/run` too).
@Suite(.serialized) struct StorageFullTests {
    /// A tmpfs of `size` at a new folder; unmounted by `unmount`.
    struct SmallFilesystem {
        let path: String

        init(size: String) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Self.mount(["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        }

        func grow(to size: String) throws {
            try Self.mount(["-o", "remount,size=\(size)", path])
        }

        func unmount() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/umount")
            process.arguments = [path]
            try? process.run()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: path)
        }

        static func mount(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/mount")
            process.arguments = arguments
            let error = Pipe()
            process.standardError = error
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw MountFailed(message: "mount \(arguments.joined(separator: " ")) failed (this test needs root): \(text)")
            }
        }

        struct MountFailed: Error, CustomStringConvertible {
            let message: String
            var description: String { message }
        }
    }

    @Test func aFullDiskAnswers503SaysNotReadyLogsOnceAndRecovers() async throws {
        let disk = try SmallFilesystem(size: "4m")
        defer { disk.unmount() }
        let capture = SecretHygieneTests.LogCapture()
        let service = try TestService()
        service.settings.database = disk.path + "/dispatcher.sqlite"
        service.settings.crmURL = "http://127.0.0.1:9/clientapi/lead-import"
        service.settings.retryInitialDelay = 3600
        service.settings.retryMaxDelay = 3600
        service.settings.logLevel = .warning
        let store = try openStore(service.settings)
        let admin = try await store.createToken(name: "admin", role: .admin, actor: .cli("test")).secret
        let app = try await buildApplication(service.settings, store: store, logger: capture.logger())
        let (accepted, refused) = try await app.test(.router) { client in
            try await SamplePolicy.create(client, token: admin)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: admin)["api_key"]?.stringValue)
            let notes = String(repeating: "n", count: 8_000)
            var accepted: Set<String> = []
            var refused = 0
            var statuses: [HTTPResponse.Status: Int] = [:]
            for index in 0..<3_000 {
                let response = try await client.send(.post, "/clientapi/lead-import",
                                                     json: #"{"api_key":"\#(key)","fname":"Lead \#(index)","tags":"buyer","notes":"\#(notes)"}"#)
                statuses[response.status, default: 0] += 1
                if response.status == .ok, let id = response["lead_id"]?.stringValue { accepted.insert(id) }
                if response.status == .serviceUnavailable {
                    refused += 1
                    #expect(response.headers[.retryAfter] == "30")
                    #expect(response["success"] == .bool(false))
                    #expect(response.error?.contains("storage full") == true, "\(response.text)")
                    if refused == 20 { break }
                }
            }
            #expect(statuses.keys.allSatisfy { $0 == .ok || $0 == .serviceUnavailable }, "\(statuses)")
            #expect(refused == 20, "the disk never filled: \(statuses)")
            #expect(accepted.count > 10, "\(statuses)")

            let notReady = try await client.send(.get, "/readyz")
            #expect(notReady.status == .serviceUnavailable)
            #expect(notReady["database"] == .string("storage full"))
            // An admin change is refused the same way, in JSON.
            let change = try await client.send(.post, "/v1/pools", token: admin, json: #"{"name":"Sellers","members":[]}"#)
            #expect(change.status == .serviceUnavailable || change.status == .created, "\(change.text)")
            let metrics = try await client.send(.get, "/metrics").text
            #expect(metrics.contains("dispatcher_storage_full 1"), "\(metrics.split(separator: "\n").filter { $0.contains("storage") })")

            // Space returns: ready again by itself, and leads are accepted.
            try disk.grow(to: "64m")
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == .ok, "\(ready.text)")
            let after = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"After","tags":"buyer"}"#)
            #expect(after.status == .ok)
            if let id = after["lead_id"]?.stringValue { accepted.insert(id) }
            #expect(try await client.send(.get, "/metrics").text.contains("dispatcher_storage_full 0"))
            return (accepted, refused)
        }
        // Every lead answered 200 is stored; none answered 503 is.
        #expect(try await store.leadCounts().leads == accepted.count)
        try store.close()
        let lines = capture.lines.withLock { $0 }
        #expect(lines.filter { $0.contains("storage full:") }.count == 1, "\(lines.filter { $0.contains("storage") })")
        let recovered = lines.filter { $0.contains("storage writable again") }
        #expect(recovered.count == 1)
        #expect(recovered.first?.contains("refused_writes") == true, "\(recovered)")
        #expect(refused == 20)
        #expect(!lines.contains { $0.hasPrefix("error ") && !$0.contains("storage full:") }, "\(lines.filter { $0.hasPrefix("error ") }.prefix(5))")
    }
}
