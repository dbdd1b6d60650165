import Foundation

/// A coding key for any string, used to list the keys a JSON object actually has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Refuses keys outside `allowed`, so a misspelt field (`tag_any`) is an error naming it rather
    /// than a setting silently ignored.
    public func rejectUnknownKeys(allowed: some Sequence<String>) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let allowed = Set(allowed)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw PolicyError.invalid(PolicyError.path(codingPath, key), "is not a known field")
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional string that, when present, must not be blank; returns it trimmed.
    func decodeTrimmedString(forKey key: Key, required: Bool = true) throws -> String? {
        let raw = required ? try decode(String.self, forKey: key) : try decodeIfPresent(String.self, forKey: key)
        guard let raw else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            throw PolicyError.invalid(PolicyError.path(codingPath, key), "must not be empty")
        }
        return trimmed
    }

    /// Decodes an optional entity id and checks that it is a slug.
    func decodeSlug(forKey key: Key, required: Bool) throws -> String? {
        let value = required ? try decode(String.self, forKey: key) : try decodeIfPresent(String.self, forKey: key)
        guard let value else { return nil }
        guard Slug.isValid(value) else {
            throw PolicyError.invalid(PolicyError.path(codingPath, key), Slug.requirement)
        }
        return value
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional whole number. Foundation reports `1.5` for an `Int` as corrupt data with no
    /// path; this names the field instead.
    public func decodeWholeNumberIfPresent(forKey key: Key) throws -> Int? {
        guard let number = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard let whole = Int(exactly: number) else {
            throw PolicyError.invalid(PolicyError.path(codingPath, key), "must be a whole number")
        }
        return whole
    }

    public func decodeWholeNumber(forKey key: Key) throws -> Int {
        guard let whole = try decodeWholeNumberIfPresent(forKey: key) else {
            throw PolicyError.invalid(PolicyError.path(codingPath, key), "is required")
        }
        return whole
    }
}
