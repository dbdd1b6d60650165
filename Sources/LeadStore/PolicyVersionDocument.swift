import Foundation
import LeadPolicy

/// How a policy version is kept: the policy as the admin API shows it (keys masked), as text.
package enum PolicyVersionDocument {
    /// The policy of a version's document as the engine ran it: without the masked keys, which the
    /// engine never reads.
    package static func policy(fromText text: String, version: Int) throws -> Policy {
        guard case .object(var document) = try JSONParser.parse(text.utf8) else {
            throw StoreError.conflict("policy version \(version) is unreadable")
        }
        for (collection, secret) in [(Account.collection, Account.secretField), (Agent.collection, Agent.secretField)] {
            guard let secret, case .array(let items)? = document[collection] else { continue }
            document[collection] = .array(items.map { item in
                guard case .object(var fields) = item else { return item }
                fields.removeValue(forKey: secret)
                return .object(fields)
            })
        }
        return try JSONValue.object(document).decode(Policy.self)
    }
}

/// The JSON text of a rule's match, action or fallback and of an agent's schedule as the policy
/// tables keep them: keys sorted, slashes unescaped, on every database.
package enum PolicyColumnJSON {
    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    package static let decoder = JSONDecoder()

    package static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    package static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try decoder.decode(T.self, from: Data(text.utf8))
    }
}
