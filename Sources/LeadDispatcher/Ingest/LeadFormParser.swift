import Foundation
import LeadPolicy
import MultipartKit
import NIOCore

/// Reads a lead vendor's body — JSON, URL-encoded form or multipart form (what PHP's curl sends for an
/// array) — into field names and values, without judging them yet.
enum LeadFormParser {
    enum Format {
        case json, urlEncoded, multipart(boundary: String)
    }

    /// The format a Content-Type names; nil for one the endpoint does not take (415).
    static func format(of contentType: String?) -> Format? {
        guard let contentType else { return nil }
        // The media type alone first: parameters matter only for multipart's boundary.
        let mediaType = String(contentType.prefix { $0 != ";" }).trimmingWhitespace.lowercased()
        switch mediaType {
        case "application/json":
            return .json
        case "application/x-www-form-urlencoded":
            return .urlEncoded
        case "multipart/form-data":
            for parameter in contentType.split(separator: ";").dropFirst().map({ String($0).trimmingWhitespace }) {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2, pair[0].lowercased() == "boundary" {
                    let boundary = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if !boundary.isEmpty { return .multipart(boundary: boundary) }
                }
            }
            return .multipart(boundary: "")
        default:
            return nil
        }
    }

    static func fields(_ body: ByteBuffer, format: Format) throws(IngestError) -> [String: JSONValue] {
        switch format {
        case .json: return try json(body)
        case .urlEncoded: return try urlEncoded(body)
        case .multipart(let boundary): return try multipart(body, boundary: boundary)
        }
    }

    static func json(_ body: ByteBuffer) throws(IngestError) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body.readableBytesView)
        } catch {
            throw .badRequest("the body is not valid JSON")
        }
        guard case .object(let fields) = value else {
            throw .badRequest("the body must be a JSON object of lead fields, not \(value.kindName)")
        }
        return fields
    }

    static func urlEncoded(_ body: ByteBuffer) throws(IngestError) -> [String: JSONValue] {
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
            throw .badRequest("the body is not valid UTF-8")
        }
        var pairs: [(String, String)] = []
        for piece in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) throws(IngestError) -> String {
                guard let decoded = part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw .badRequest("the form field '\(part.prefix(40))' is not valid percent-encoding")
                }
                return decoded
            }
            pairs.append((try decode(pair[0]), pair.count > 1 ? try decode(pair[1]) : ""))
        }
        return collect(pairs)
    }

    static func multipart(_ body: ByteBuffer, boundary: String) throws(IngestError) -> [String: JSONValue] {
        var pairs: [(String, String)] = []
        for part in try multipartParts(body, boundary: boundary) {
            if part.isFile {
                throw .badRequest("\(part.name): file uploads are not accepted; lead fields are text")
            }
            pairs.append((part.name, part.value))
        }
        return collect(pairs)
    }

    /// The parts of a multipart body, each by name, as UTF-8 text; `isFile` for a file input's part.
    static func multipartParts(_ body: ByteBuffer, boundary: String) throws(IngestError) -> [(name: String, value: String, isFile: Bool)] {
        guard !boundary.isEmpty else { throw .badRequest("multipart/form-data needs a boundary parameter in Content-Type") }
        let parser = MultipartParser(boundary: boundary)
        var parts: [(headers: [(String, String)], body: ByteBuffer)] = []
        var headers: [(String, String)] = []
        var partBody = ByteBuffer()
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { chunk in partBody.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append((headers, partBody))
            headers = []
            partBody = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw .badRequest("the multipart body is malformed")
        }
        var result: [(name: String, value: String, isFile: Bool)] = []
        for part in parts {
            guard let disposition = part.headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1,
                  let name = parameter("name", in: disposition) else {
                throw .badRequest("a multipart part has no Content-Disposition name")
            }
            guard let value = String(validating: part.body.readableBytesView, as: UTF8.self) else {
                throw .badRequest("\(name): is not valid UTF-8")
            }
            result.append((name, value, parameter("filename", in: disposition) != nil))
        }
        return result
    }

    /// Form pairs to fields. PHP's array notation (`tags[]=a&tags[]=b`, `tags[0]=a`) becomes an array;
    /// a name given twice keeps its last value, as PHP does.
    static func collect(_ pairs: [(String, String)]) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for (name, value) in pairs {
            if let open = name.firstIndex(of: "["), name.hasSuffix("]"), open != name.startIndex {
                let base = String(name[..<open])
                var items: [JSONValue] = []
                if case .array(let existing)? = fields[base] { items = existing }
                fields[base] = .array(items + [.string(value)])
            } else {
                fields[name] = .string(value)
            }
        }
        return fields
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
