import Configuration
import Foundation
import SystemPackage

/// Builds the layered configuration: flags over `DISPATCHER_*` environment variables over the JSON
/// file over the defaults in `DispatcherSettings`.
public enum ConfigurationLayers {
    /// The file read when `--config` is not given, if it exists.
    public static let defaultConfigFile = "Config/dispatcher.json"

    /// - Parameters:
    ///   - flags: the values given on the command line, by JSON key (`crmUrl`).
    ///   - environment: the process environment (a test passes its own).
    ///   - configFile: the `--config` path; when nil, `Config/dispatcher.json` is read if present.
    public static func reader(
        flags: [String: ConfigValue],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFile: String?
    ) async throws(SettingsError) -> ConfigReader {
        let path = configFile ?? environment["DISPATCHER_CONFIG"] ?? defaultConfigFile
        let explicit = configFile != nil || environment["DISPATCHER_CONFIG"] != nil
        let file: FileProvider<JSONSnapshot>
        do {
            if explicit, !FileManager.default.fileExists(atPath: path) {
                throw SettingsError(key: "config", message: "no config file at \(path)")
            }
            file = try await FileProvider<JSONSnapshot>(filePath: FilePath(path), allowMissing: !explicit)
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(key: "config", message: "the config file \(path) is not a JSON object: \(error)")
        }
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in flags {
            flagValues[AbsoluteConfigKey(ConfigKey(key))] = value
        }
        return ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flagValues),
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific(["DISPATCHER_SECRET_KEY"])
            ).prefixKeys(with: ConfigKey(SettingsNames.environmentPrefix.lowercased())),
            file,
        ])
    }
}
