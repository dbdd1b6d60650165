import Foundation
import LeadPolicy
import LeadStore

/// A console user's fields as a client sends them, checked: the API and the command line share these.
public enum UserInput {
    /// The email trimmed and checked; throws naming `email`.
    public static func email(_ text: String) throws(PolicyError) -> String {
        let email = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !email.isEmpty else { throw .invalid("email", "is required") }
        guard email.count <= 254, EmailAddress.isPlausible(email) else { throw .invalid("email", "is not a plausible email address") }
        return email
    }

    /// The name, or the email's local part when none is given; throws naming `name`.
    public static func name(_ text: String?, email: String) throws(PolicyError) -> String {
        guard let text else { return String(email.split(separator: "@").first ?? Substring(email)) }
        return try EntityName.check(text.trimmingCharacters(in: .whitespacesAndNewlines), field: "name")
    }

    /// The role by name; throws naming `role`.
    public static func role(_ text: String?) throws(PolicyError) -> Role {
        guard let text, let role = Role(rawValue: text) else {
            throw .invalid("role", "is required, one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }
}
