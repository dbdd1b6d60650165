import HTTPTypes
import Hummingbird
import LeadPolicy

/// A refused lead, answered the way Buying Buddy answers: `{"success": false, "error": "…"}`.
struct IngestError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    static func badRequest(_ message: String) -> IngestError {
        IngestError(.badRequest, message)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(.object(["success": .bool(false), "error": .string(message)]), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}
