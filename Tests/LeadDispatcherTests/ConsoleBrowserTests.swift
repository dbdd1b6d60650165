import Foundation
import Testing

/// The console in a real browser: `swift test` runs the Playwright suite in `Tests/Browser` (Debian's
/// chromium, headless, JavaScript off) against the binary it built, so that one command runs every test.
@Suite struct ConsoleBrowserTests {
    @Test func theBrowserSuitePasses() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "pytest", "Tests/Browser", "-q", "-p", "no:cacheprovider"]
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["LEAD_DISPATCHER_BINARY"] = CommandLineTests.binary.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = try await offThePool {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text
        }
        // pytest exits 5 when it collected no test: that fails here too.
        #expect(process.terminationStatus == 0, """
            the browser suite failed (it needs Debian's chromium and `python3 -m pip install playwright pytest`; \
            .ci/run installs both):
            \(text.suffix(4000))
            """)
        #expect(text.contains(" passed"), "\(text.suffix(2000))")
    }
}
