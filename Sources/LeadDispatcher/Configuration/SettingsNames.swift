import Foundation

/// The three spellings of a setting's name: `crmUrl`, `--crm-url`, `DISPATCHER_CRM_URL`.
public enum SettingsNames {
    public static let environmentPrefix = "DISPATCHER"

    /// Every setting, by its JSON key. `SettingsValues` reads no other (it asserts so), and the config
    /// file and the environment may hold no other: a misspelt key would otherwise be ignored silently.
    public static let keys = [
        "host", "port", "database", "crmUrl", "retryInitialDelay", "retryMaxDelay", "maxAttempts", "maxBodyBytes",
        "maxAdminBodyBytes", "logLevel", "deliveryFormat", "deliveryTimeout", "ingestBatchSize", "ingestBatchWait",
        "deliveryConcurrency", "maxRejections", "shutdownGracePeriod", "retentionDays", "idleTimeout", "circuitThreshold",
        "circuitCoolDown", "claimLeaseMargin", "timeZone", "secretKey", "keyFile",
    ]

    /// The environment variable that names the config file; not a setting of its own.
    public static let configEnvironmentVariable = "DISPATCHER_CONFIG"

    /// The known name nearest to `name` (compared without case, `_` or `-`), when one is near enough
    /// to be the one meant.
    public static func nearest(to name: String, among candidates: [String]) -> String? {
        func folded(_ text: String) -> [Character] { Array(text.lowercased().filter { $0 != "_" && $0 != "-" }) }
        let target = folded(name)
        let scored = candidates.map { ($0, editDistance(folded($0), target)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, target.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance; the names are short, so the plain two-row table is enough.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

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
