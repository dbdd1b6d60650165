import Foundation
import LeadPolicy
import LeadStore

/// The write-only CRM key fields (`api_key`, `admin_api_key`) in admin-API bodies.
///
/// A key is taken out of the body before the entity is decoded, so it never enters the policy
/// model. A masked value (`••••1234`, as the API shows it) or an absent one keeps the stored key.
enum SecretField {
    /// Removes the entity's secret field from `fields` and returns the new key it brings, if any.
    /// - Parameter required: a new entity must bring a key.
    static func take<Entity: PolicyEntity>(from fields: inout [String: JSONValue], for entity: Entity.Type,
                                           required: Bool, path: String = "") throws(PolicyError) -> String? {
        guard let name = Entity.secretField else { return nil }
        let field = path.isEmpty ? name : "\(path).\(name)"
        let value = fields.removeValue(forKey: name)
        switch value {
        case nil, .null?:
            if required { throw .invalid(field, "is required: the Buying Buddy Lead Import API key") }
            return nil
        case .string(let text)? where SecretMask.isMasked(text):
            if required { throw .invalid(field, "must be the key itself, not its mask") }
            return nil
        case .string(let text)?:
            let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty, key.count <= 512 else { throw .invalid(field, "must be 1 to 512 characters") }
            guard !key.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false }) else {
                throw .invalid(field, "must not contain spaces or control characters")
            }
            return key
        case let other?:
            throw .invalid(field, "must be a string, not \(other.kindName)")
        }
    }
}
