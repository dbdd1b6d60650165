import Foundation

/// Writes JSON straight into bytes: the documents stored with every lead (its fields, decision and
/// routing state), the audit log's canonical text, responses and deliveries.
///
/// Foundation's `JSONEncoder` was almost half of the CPU a lead costs inside the write transaction
/// (the one writer is the ingest ceiling). The output is what `JSONEncoder` writes for the same values
/// with `.withoutEscapingSlashes` (or without it, for the audit chain's canonical form), which the
/// tests check, so every reader decodes it with the `Codable` conformances as before.
public struct JSONText {
    public private(set) var bytes: [UInt8] = []
    /// `JSONEncoder` escapes `/` as `\/` unless told not to; the audit chain's canonical form keeps
    /// that escape, since hashes already recorded depend on it.
    public let escapesSlashes: Bool

    public init(escapesSlashes: Bool = false, capacity: Int = 512) {
        self.escapesSlashes = escapesSlashes
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    public mutating func raw(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// JSON written before by a `JSONText` with the same `escapesSlashes`, appended as it is.
    public mutating func raw(written: [UInt8]) {
        bytes.append(contentsOf: written)
    }

    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        escaped(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// The string's bytes, escaped, without the quotes around them.
    private mutating func escaped(_ value: String) {
        // Most strings need no escape: copy them whole.
        let escapesSlashes = self.escapesSlashes
        let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (byte == UInt8(ascii: "/") && escapesSlashes) {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true { return }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw(#"\""#)
            case UInt8(ascii: "\\"): raw(#"\\"#)
            case UInt8(ascii: "/") where escapesSlashes: raw(#"\/"#)
            case 0x08: raw(#"\b"#)
            case 0x0C: raw(#"\f"#)
            case 0x0A: raw(#"\n"#)
            case 0x0D: raw(#"\r"#)
            case 0x09: raw(#"\t"#)
            case 0..<0x20:
                raw(#"\u00"#)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
    }

    public mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    public mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func double(_ value: Double) {
        // Swift's shortest round-trip form, as JSONEncoder writes it ("1.5", "1e-07").
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// `{"key": …, …}`: `body` writes the members through the `Members` it is given.
    public mutating func object(_ body: (inout Members) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var members = Members(text: self)
        bytes = []
        body(&members)
        self = members.text
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func array<Element>(_ elements: some Sequence<Element>, _ write: (inout JSONText, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            write(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The members of one object, written in the order given.
    public struct Members {
        fileprivate var text: JSONText
        private var first = true

        fileprivate init(text: JSONText) {
            self.text = text
        }

        /// Starts a member named by data (a pool's or agent's id) and returns the writer for its value.
        public mutating func key(escaping name: String, _ value: (inout JSONText) -> Void) {
            if !first { text.bytes.append(UInt8(ascii: ",")) }
            first = false
            text.string(name)
            text.bytes.append(UInt8(ascii: ":"))
            value(&text)
        }

        /// Starts a member with a fixed name, which must need no escape, and returns the writer for its
        /// value. (Most members have one; they skip the escape check.)
        public mutating func key(_ name: StaticString, _ value: (inout JSONText) -> Void) {
            if !first { text.bytes.append(UInt8(ascii: ",")) }
            first = false
            text.bytes.append(UInt8(ascii: "\""))
            text.raw(name)
            text.raw("\":")
            value(&text)
        }

        public mutating func string(_ name: StaticString, _ value: String) { key(name) { $0.string(value) } }
        public mutating func int(_ name: StaticString, _ value: Int) { key(name) { $0.int(value) } }
        public mutating func int(escaping name: String, _ value: Int) { key(escaping: name) { $0.int(value) } }

        /// Written only when present, as `encodeIfPresent` does.
        public mutating func stringIfPresent(_ name: StaticString, _ value: String?) {
            if let value { string(name, value) }
        }
    }
}

extension JSONText {
    /// A `JSONValue` as its `Codable` form writes it; object keys sorted by their UTF-8 bytes, as
    /// `.sortedKeys` does, when `sortingKeys` is set.
    public mutating func value(_ value: JSONValue, sortingKeys: Bool) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): bool(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { bytes.append(contentsOf: String(Int64(number)).utf8) } else { double(number) }
        case .string(let string): self.string(string)
        case .array(let items): array(items) { $0.value($1, sortingKeys: sortingKeys) }
        case .object(let members):
            let keys = sortingKeys ? members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } : Array(members.keys)
            object { writer in
                for key in keys {
                    writer.key(escaping: key) { $0.value(members[key]!, sortingKeys: sortingKeys) }
                }
            }
        }
    }
}
