import Foundation
import HummingbirdBcrypt
import LeadPolicy

/// Console passwords: checked, generated, and hashed with bcrypt (hummingbird-auth's `HummingbirdBcrypt`).
public enum Passwords {
    /// Work factor 12: about a quarter of a second per hash on this project's 2-core machines, which is
    /// the point — a stolen hash is that slow to guess at, each try.
    static let cost: UInt8 = 12
    /// Bcrypt reads at most 72 bytes; a longer password would be cut short without a word.
    static let lengthInBytes = 12...72

    /// Throws, naming `field`, when `password` is too short, too long for bcrypt, or blank.
    public static func check(_ password: String, field: String = "password") throws(PolicyError) {
        guard lengthInBytes.contains(password.utf8.count) else {
            throw .invalid(field, "must be \(lengthInBytes.lowerBound) to \(lengthInBytes.upperBound) bytes long (bcrypt reads no more than 72)")
        }
        guard !password.allSatisfy(\.isWhitespace) else { throw .invalid(field, "must not be blank") }
    }

    /// A new password of 20 letters and digits (about 119 bits), for a user created without one.
    public static func generate() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The bcrypt hash, computed on a thread of its own: a quarter of a second of CPU must not hold a
    /// thread of Swift's cooperative pool, which serves every request.
    public static func hash(_ password: String) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Bcrypt.hash(password, cost: cost))
            }
        }
    }

    /// Whether `password` matches `hash`, computed as `hash` is. Without a hash (an unknown user) it
    /// checks against a hash of a password nobody knows, so that the answer takes as long and is false.
    public static func verify(_ password: String, hash: String?) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                let matches = Bcrypt.verify(password, hash: hash ?? unknownUserHash)
                continuation.resume(returning: hash != nil && matches)
            }
        }
    }

    /// Made once, on first use (off the cooperative pool, by `verify`).
    private static let unknownUserHash = Bcrypt.hash(generate(), cost: cost)
}
