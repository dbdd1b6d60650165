import Foundation

/// Why a policy, or a change to it, was refused. Every case names the field at fault so that the
/// admin API can answer with an error a person can act on.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The value has the wrong shape or is out of range (HTTP 400).
        case invalid
        /// The value names an entity that does not exist (HTTP 400 in a body, 404 in a path).
        case unknownReference
        /// An entity with that id exists already (HTTP 409).
        case duplicate
        /// The entity is still used by another one (HTTP 409).
        case inUse
        /// The entity addressed by the request does not exist (HTTP 404).
        case notFound
    }

    public var kind: Kind
    /// The field at fault, as a path such as `members[1].agent_id`; empty for the whole body.
    public var field: String
    public var message: String

    public init(_ kind: Kind, field: String, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    public static func invalid(_ field: String, _ message: String) -> PolicyError {
        PolicyError(.invalid, field: field, message)
    }

    public var description: String {
        field.isEmpty ? message : "\(field): \(message)"
    }

    /// The same error, with the field path placed under `prefix` (`agents[2]` + `account_id`).
    public func prefixed(_ prefix: String) -> PolicyError {
        guard !prefix.isEmpty else { return self }
        var copy = self
        copy.field = field.isEmpty ? prefix : (field.hasPrefix("[") ? prefix + field : prefix + "." + field)
        return copy
    }

    /// Translates Foundation's decoding errors into field-named messages.
    /// Renders a coding path the way people write it: `members[1].agent_id`.
    public static func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
        var result = ""
        for key in codingPath + (last.map { [$0] } ?? []) {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return result
    }

    public init(decodingError error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self = .invalid(Self.path(context.codingPath, key), "is required")
        case .typeMismatch(let type, let context):
            self = .invalid(Self.path(context.codingPath), "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self = .invalid(Self.path(context.codingPath), "must be \(Self.describe(type)), not null")
        case .dataCorrupted(let context):
            self = .invalid(Self.path(context.codingPath), context.debugDescription)
        @unknown default:
            self = .invalid("", "malformed JSON")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
