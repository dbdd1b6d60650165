import ArgumentParser
import Configuration
import Foundation
import Hummingbird
import LeadDispatcher
import Logging
import DispatcherStores
import LeadStoreSQLite

/// `lead-dispatcher serve`: runs the HTTP service until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (default: 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default: 8080; 0 picks a free one).", transform: Self.port) var port: Int?
    @Option(name: .customLong("crm-url"), help: "Buying Buddy Lead Import URL (default: the production endpoint).") var crmURL: String?
    @Option(help: "First retry delay in seconds (default: 1).") var retryInitialDelay: Double?
    @Option(help: "Longest retry delay in seconds (default: 300).") var retryMaxDelay: Double?
    @Option(help: "Delivery attempts before a lead is dead (default: 10).") var maxAttempts: Int?
    @Option(help: "Largest ingest body in bytes (default: 65536).") var maxBodyBytes: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default: info).") var logLevel: String?

    func run() async throws {
        var flags: [String: ConfigValue] = [:]
        if let host { flags["host"] = ConfigValue(.string(host), isSecret: false) }
        if let port { flags["port"] = ConfigValue(.int(port), isSecret: false) }
        if let crmURL { flags["crmUrl"] = ConfigValue(.string(crmURL), isSecret: false) }
        if let retryInitialDelay { flags["retryInitialDelay"] = ConfigValue(.double(retryInitialDelay), isSecret: false) }
        if let retryMaxDelay { flags["retryMaxDelay"] = ConfigValue(.double(retryMaxDelay), isSecret: false) }
        if let maxAttempts { flags["maxAttempts"] = ConfigValue(.int(maxAttempts), isSecret: false) }
        if let maxBodyBytes { flags["maxBodyBytes"] = ConfigValue(.int(maxBodyBytes), isSecret: false) }
        if let logLevel { flags["logLevel"] = ConfigValue(.string(logLevel), isSecret: false) }
        let settings = try await common.settings(extraFlags: flags)

        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = settings.logLevel
            return handler
        }
        let logger = Logger(label: "lead-dispatcher")
        for warning in ConfigurationLayers.unknownEnvironmentVariables() {
            logger.warning("\(warning)")
        }
        let app = try await CommandFailure.reporting {
            // Before the database is opened or created: a busy port is said at once, in words.
            try ListeningAddress.check(host: settings.host, port: settings.port)
            return try await buildApplication(settings, logger: logger)
        }
        try await CommandFailure.reporting { try await app.runService() }
    }

    /// `--port` as a whole number from 0 to 65535, or a message that says so.
    static func port(_ text: String) throws -> Int {
        guard let port = Int(text), (0...65535).contains(port) else {
            throw ValidationError("--port must be a whole number from 0 to 65535 (0 picks a free one), not '\(text)'")
        }
        return port
    }
}
