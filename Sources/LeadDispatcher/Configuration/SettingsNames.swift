import Foundation

/// The three spellings of a setting's name: `crmUrl`, `--crm-url`, `DISPATCHER_CRM_URL`.
public enum SettingsNames {
    public static let environmentPrefix = "DISPATCHER"

    static func words(_ key: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in key {
            if character.isUppercase, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    public static func flag(_ key: String) -> String {
        words(key).map { $0.lowercased() }.joined(separator: "-")
    }

    public static func environment(_ key: String) -> String {
        ([environmentPrefix] + words(key).map { $0.uppercased() }).joined(separator: "_")
    }
}
