import Foundation

/// How a secret is shown: at most its last four characters (`••••1234`), and none of a short one.
public enum SecretMask {
    public static let prefix = "••••"

    public static func mask(_ secret: String) -> String {
        secret.count >= 12 ? prefix + secret.suffix(4) : prefix
    }

    /// A value that is a mask, sent back unchanged by a client that read it: it keeps the stored secret.
    public static func isMasked(_ value: String) -> Bool {
        value.hasPrefix(prefix)
    }
}
