import Foundation

/// Checks a Buying Buddy endpoint URL: `https://`, or `http://` to a loopback host only (a local
/// stand-in), so CRM keys never cross a network in clear text.
public enum CRMEndpoint {
    public static func validate(_ text: String, key: String) throws(SettingsError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw SettingsError(key: key, message: "'\(text)' is not an absolute URL")
        }
        switch scheme {
        case "https":
            return
        case "http" where isLoopback(host):
            return
        case "http":
            throw SettingsError(key: key, message: "http:// is accepted only for loopback hosts (127.0.0.1, ::1, localhost); use https://")
        default:
            throw SettingsError(key: key, message: "must be an https:// URL")
        }
    }

    public static func isLoopback(_ host: String) -> Bool {
        let host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
