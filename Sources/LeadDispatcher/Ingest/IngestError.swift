import HTTPTypes
import Hummingbird
import LeadPolicy

/// A refused lead, answered the way Buying Buddy answers: `{"success": false, "error": "…"}`.
struct IngestError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> IngestError {
        IngestError(.badRequest, message)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(.object(["success": .bool(false), "error": .string(message)]), status: status)
    }
}
