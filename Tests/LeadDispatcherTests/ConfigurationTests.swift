import Configuration
import Foundation
import LeadDispatcher
import Testing
import DispatcherStores
import LeadStoreSQLite

@Suite struct ConfigurationTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func file(_ json: String) throws -> String {
        let url = directory.appendingPathComponent("\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func settings(flags: [String: ConfigValue] = [:], environment: [String: String] = [:], file: String? = nil) async throws -> DispatcherSettings {
        // A missing default file: point at one that does not exist rather than the repository's own.
        let configFile = file
        var environment = environment
        if configFile == nil, environment["DISPATCHER_CONFIG"] == nil { environment["DISPATCHER_CONFIG"] = try self.file("{}") }
        return try DispatcherSettings(reader: try await ConfigurationLayers.reader(flags: flags, environment: environment, configFile: configFile))
    }

    @Test func defaultsWhenNothingIsSet() async throws {
        let settings = try await settings()
        #expect(settings.host == "127.0.0.1")
        #expect(settings.port == 8080)
        #expect(settings.database == "./data/dispatcher.sqlite")
        #expect(settings.crmURL == "https://www.leadsandcontacts.com/clientapi/lead-import")
        #expect(settings.maxBodyBytes == 65536)
        #expect(settings.effectiveKeyFile == "./data/dispatcher.sqlite.key")
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() async throws {
        let config = try file(#"{"port": 9001, "database": "/tmp/file.sqlite", "crmUrl": "https://file.example/import", "retryInitialDelay": 2.5, "maxAttempts": 4}"#)
        let environment = ["DISPATCHER_PORT": "9002", "DISPATCHER_DATABASE": "/tmp/env.sqlite", "DISPATCHER_RETRY_INITIAL_DELAY": "0.5"]
        let flags: [String: ConfigValue] = ["port": ConfigValue(.int(9003), isSecret: false)]
        let settings = try await settings(flags: flags, environment: environment, file: config)
        #expect(settings.port == 9003)                       // flag
        #expect(settings.database == "/tmp/env.sqlite")      // environment over file
        #expect(settings.retryInitialDelay == 0.5)           // environment, fractional
        #expect(settings.crmURL == "https://file.example/import") // file over default
        #expect(settings.maxAttempts == 4)                   // file
        #expect(settings.retryMaxDelay == 300)               // default
    }

    @Test func theConfigFileCanComeFromTheEnvironment() async throws {
        let config = try file(#"{"host": "0.0.0.0"}"#)
        let settings = try await settings(environment: ["DISPATCHER_CONFIG": config])
        #expect(settings.host == "0.0.0.0")
    }

    @Test func theDocumentedExampleHoldsTheDefaults() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config/dispatcher.json").path
        let fromFile = try await settings(file: example)
        let defaults = DispatcherSettings()
        #expect(fromFile.host == defaults.host && fromFile.port == defaults.port && fromFile.database == defaults.database)
        #expect(fromFile.crmURL == defaults.crmURL && fromFile.maxAttempts == defaults.maxAttempts)
        #expect(fromFile.retryInitialDelay == defaults.retryInitialDelay && fromFile.retryMaxDelay == defaults.retryMaxDelay)
        #expect(fromFile.maxBodyBytes == defaults.maxBodyBytes && fromFile.logLevel == defaults.logLevel)
        #expect(fromFile.deliveryFormat == defaults.deliveryFormat && fromFile.deliveryTimeout == defaults.deliveryTimeout)
        #expect(fromFile.deliveryConcurrency == defaults.deliveryConcurrency && fromFile.maxRejections == defaults.maxRejections)
        #expect(fromFile.shutdownGracePeriod == defaults.shutdownGracePeriod && fromFile.timeZone == defaults.timeZone)
        #expect(fromFile.retentionDays == defaults.retentionDays && fromFile.idleTimeout == defaults.idleTimeout)
        #expect(fromFile.circuitThreshold == defaults.circuitThreshold && fromFile.circuitCoolDown == defaults.circuitCoolDown)
    }

    @Test(arguments: [
        (["DISPATCHER_PORT": "eighty"], "port"),
        (["DISPATCHER_PORT": "70000"], "port"),
        (["DISPATCHER_MAX_ATTEMPTS": "0"], "maxAttempts"),
        (["DISPATCHER_RETRY_INITIAL_DELAY": "soon"], "retryInitialDelay"),
        (["DISPATCHER_RETRY_INITIAL_DELAY": "10", "DISPATCHER_RETRY_MAX_DELAY": "5"], "retryInitialDelay"),
        (["DISPATCHER_CRM_URL": "http://crm.example.com/import"], "crmUrl"),
        (["DISPATCHER_CRM_URL": "not a url"], "crmUrl"),
        (["DISPATCHER_LOG_LEVEL": "loud"], "logLevel"),
        (["DISPATCHER_DELIVERY_FORMAT": "xml"], "deliveryFormat"),
        (["DISPATCHER_TIME_ZONE": "Mars/Olympus"], "timeZone"),
        (["DISPATCHER_DELIVERY_CONCURRENCY": "0"], "deliveryConcurrency"),
    ])
    func anInvalidValueNamesItsKey(environment: [String: String], key: String) async throws {
        await #expect {
            _ = try await settings(environment: environment)
        } throws: { error in
            guard let error = error as? SettingsError else { return false }
            return error.key == key && error.description.contains(key)
        }
    }

    @Test func httpIsAcceptedForLoopbackCRMs() async throws {
        let settings = try await settings(environment: ["DISPATCHER_CRM_URL": "http://127.0.0.1:9999/clientapi/lead-import"])
        #expect(settings.crmURL == "http://127.0.0.1:9999/clientapi/lead-import")
    }

    @Test func aMalformedConfigFileStopsStartUp() async throws {
        let broken = try file(#"{"port": 8080,"#)
        await #expect(throws: SettingsError.self) { _ = try await settings(file: broken) }
        let notObject = try file(#"[1, 2]"#)
        await #expect(throws: SettingsError.self) { _ = try await settings(file: notObject) }
        await #expect(throws: SettingsError.self) { _ = try await settings(file: directory.appendingPathComponent("missing.json").path) }
        let wrongType = try file(#"{"port": "high"}"#)
        await #expect { _ = try await settings(file: wrongType) } throws: { ($0 as? SettingsError)?.key == "port" }
    }

    @Test func settingNamesHaveThreeSpellings() {
        #expect(SettingsNames.flag("crmUrl") == "crm-url")
        #expect(SettingsNames.environment("crmUrl") == "DISPATCHER_CRM_URL")
        #expect(SettingsNames.environment("retryInitialDelay") == "DISPATCHER_RETRY_INITIAL_DELAY")
    }
}
