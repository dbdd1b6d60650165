import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `lead-dispatcher serve` as the README starts it: it answers, refuses a second writer, and stops
/// cleanly on SIGTERM.
@Suite struct ServeCommandTests {
    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw CocoaError(.fileReadUnknown) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func get(_ url: String, token: String? = nil) async -> (Int, String)? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 2
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func servesUntilSIGTERMAndExitsZero() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("data/dispatcher.sqlite").path

        let create = Process()
        create.executableURL = CommandLineTests.binary
        create.arguments = ["token", "create", "--role", "auditor", "--database", database]
        create.currentDirectoryURL = directory
        let output = Pipe()
        create.standardOutput = output
        try create.run()
        let token = try await offThePool {
            let token = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: "\n").last.map(String.init) ?? ""
            create.waitUntilExit()
            return token
        }

        let port = try Self.freePort()
        let serve = Process()
        serve.executableURL = CommandLineTests.binary
        serve.arguments = ["serve", "--port", "\(port)", "--database", database, "--log-level", "warning"]
        serve.currentDirectoryURL = directory
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }

        try await waitUntil("serve answers ready") { await Self.get("http://127.0.0.1:\(port)/readyz")?.0 == 200 }
        #expect(await Self.get("http://127.0.0.1:\(port)/v1/agents", token: token)?.0 == 200)
        #expect(await Self.get("http://127.0.0.1:\(port)/v1/agents")?.0 == 401)

        kill(serve.processIdentifier, SIGTERM)
        try await waitUntil("serve exits after SIGTERM") { !serve.isRunning }
        #expect(serve.terminationReason == .exit && serve.terminationStatus == 0)
    }
}
