import Foundation
import Hummingbird
import NIOCore

/// A form's body as browsers post it: `application/x-www-form-urlencoded`, or `multipart/form-data`
/// for a form with a file input (the policy import).
enum ConsoleForm {
    /// Large enough for a policy file of a thousand agents; only a signed-in user's post is read.
    static let limit = 4 * 1024 * 1024

    /// The form's fields (the first value of a repeated field; a file input's content as text); empty
    /// for a body that is not a form. The body is collected into `request`, so a later reader finds it
    /// again.
    static func read(_ request: inout Request) async throws -> [String: String] {
        let buffer = try await request.collectBody(upTo: limit)
        var fields: [String: String] = [:]
        let contentType = request.headers[.contentType]
        if case .multipart(let boundary)? = LeadFormParser.format(of: contentType) {
            let parts: [(name: String, value: String, isFile: Bool)]
            do {
                parts = try LeadFormParser.multipartParts(buffer, boundary: boundary)
            } catch {
                throw ConsolePageError(.badRequest, "The form could not be read: \(error.message)")
            }
            for part in parts where fields[part.name] == nil {
                fields[part.name] = part.value
            }
            return fields
        }
        guard contentType?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return fields }
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ decode($0) }), fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// For a query parameter's value.
    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
