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
            if let data = FileManager.default.contents(atPath: path) {
                try checkFile(data, path: path)
            }
            file = try await FileProvider<JSONSnapshot>(filePath: FilePath(path), allowMissing: !explicit)
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(key: "config", message: "the config file \(path) cannot be read as a JSON object")
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

    /// Refuses a file that is not one JSON object or that holds a key that is no setting (keys that
    /// start with `_` are comments). A misspelt `crm_url` would otherwise leave the default in force:
    /// leads sent to the live Buying Buddy endpoint from a machine meant for a stand-in.
    static func checkFile(_ data: Data, path: String) throws(SettingsError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw SettingsError(key: "config", message: "the config file \(path) is not valid JSON" + (detail.map { ": \($0)" } ?? ""))
        }
        guard let fields = object as? [String: Any] else {
            throw SettingsError(key: "config", message: "the config file \(path) must hold one JSON object of settings")
        }
        for key in fields.keys.sorted() where !key.hasPrefix("_") && !SettingsNames.keys.contains(key) {
            let hint = SettingsNames.nearest(to: key, among: SettingsNames.keys).map { " (did you mean '\($0)'?)" } ?? ""
            throw SettingsError(key: "config", message: "the config file \(path) holds '\(key)', which is not a setting\(hint)")
        }
    }

    /// `DISPATCHER_*` variables that name no setting, each with the nearest one meant, for a warning
    /// at start (the environment is shared with other programs, so they do not stop it).
    public static func unknownEnvironmentVariables(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let known = SettingsNames.keys.map(SettingsNames.environment) + [SettingsNames.configEnvironmentVariable]
        return environment.keys.filter { $0.hasPrefix(SettingsNames.environmentPrefix + "_") && !known.contains($0) }.sorted().map { name in
            let hint = SettingsNames.nearest(to: name, among: known).map { " (did you mean \($0)?)" } ?? ""
            return "\(name) is set but is not a setting\(hint)"
        }
    }
}
