import Foundation

/// Buying Buddy endpoint URLs: `https://`, or `http://` to a loopback host only (a local stand-in),
/// so CRM keys never cross a network in clear text.
public enum CRMURL {
    /// nil when acceptable; otherwise what is wrong.
    public static func problem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "'\(text)' is not an absolute URL"
        }
        switch scheme {
        case "https": return nil
        case "http" where isLoopback(host): return nil
        case "http": return "http:// is accepted only for loopback hosts (127.0.0.1, ::1, localhost); use https://"
        default: return "must be an https:// URL"
        }
    }

    public static func isLoopback(_ host: String) -> Bool {
        let host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The URL as a log may show it: without user, password or query, which may hold credentials.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(not a URL)" }
        components.user = nil
        components.password = nil
        components.query = nil
        return components.string ?? "(not a URL)"
    }
}
