import Configuration
import Foundation

/// Reads typed settings and tells a missing value (use the default) from a malformed one (stop).
///
/// swift-configuration's `required…` accessors throw both for a missing key and for a value that does
/// not convert; the optional `string` accessor tells the two apart where a provider holds text.
struct SettingsValues {
    let reader: ConfigReader

    private func read<Value>(_ key: String, isSecret: Bool = false, expected: String = "text",
                             _ get: () throws -> Value) throws(SettingsError) -> Value? {
        assert(SettingsNames.keys.contains(key), "\(key) is read but missing from SettingsNames.keys")
        do {
            return try get()
        } catch {
            if String(describing: error).hasPrefix("Missing required config value") { return nil }
            let shown = isSecret ? "" : reader.string(forKey: ConfigKey(key)).map { " '\($0)'" } ?? ""
            throw SettingsError(key: key, message: "must be \(expected), not\(shown.isEmpty ? " what was given" : shown)")
        }
    }

    func string(_ key: String, default value: String) throws(SettingsError) -> String {
        try optionalString(key) ?? value
    }

    func optionalString(_ key: String, isSecret: Bool = false) throws(SettingsError) -> String? {
        guard let text = try read(key, isSecret: isSecret, { try reader.requiredString(forKey: ConfigKey(key), isSecret: isSecret) }) else { return nil }
        return text.isEmpty ? nil : text
    }

    func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws(SettingsError) -> Int {
        guard let number = try read(key, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)", {
            try reader.requiredInt(forKey: ConfigKey(key))
        }) else { return value }
        guard range.contains(number) else {
            throw SettingsError(key: key, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(number)")
        }
        return number
    }

    func double(_ key: String, default value: Double, range: ClosedRange<Double>) throws(SettingsError) -> Double {
        guard let number = try read(key, expected: "a number of seconds from \(range.lowerBound) to \(range.upperBound)", {
            try reader.requiredDouble(forKey: ConfigKey(key))
        }) else { return value }
        guard number.isFinite, range.contains(number) else {
            throw SettingsError(key: key, message: "must be a number of seconds from \(range.lowerBound) to \(range.upperBound), not \(number)")
        }
        return number
    }
}
