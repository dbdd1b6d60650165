import HTTPTypes
import Hummingbird
import LeadPolicy

/// A refused lead, answered the way Buying Buddy answers: `{"success": false, "error": "…"}`.
struct IngestError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var message: String
    /// The field at fault, as admin errors name it (`tags[1]`, `api_key`); nil for the body as a whole.
    var field: String?
    var headers: HTTPFields

    /// Messages are written `<field>: what is wrong`; the field is read from there unless given.
    init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.field = field ?? Self.leadingField(of: message)
        self.headers = headers
    }

    /// `tags[1]` of `tags[1]: must not contain a comma`; nil when the message does not start with a
    /// single word and a colon.
    static func leadingField(of message: String) -> String? {
        guard let colon = message.firstIndex(of: ":") else { return nil }
        let head = message[..<colon]
        guard !head.isEmpty, !head.contains(" "), !head.contains("'") else { return nil }
        return String(head)
    }

    static func badRequest(_ message: String) -> IngestError {
        IngestError(.badRequest, message)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: JSONValue] = ["success": .bool(false), "error": .string(message)]
        if let field { body["field"] = .string(field) }
        var response = try JSONResponse.make(.object(body), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}
