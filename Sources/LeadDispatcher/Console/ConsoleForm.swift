import Foundation
import Hummingbird
import NIOCore

/// An `application/x-www-form-urlencoded` body, as browsers post forms.
enum ConsoleForm {
    static let limit = 64 * 1024

    /// The form's fields (the first value of a repeated field); empty for a body that is not a form.
    /// The body is collected into `request`, so a later reader finds it again.
    static func read(_ request: inout Request) async throws -> [String: String] {
        let buffer = try await request.collectBody(upTo: limit)
        var fields: [String: String] = [:]
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return fields }
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
