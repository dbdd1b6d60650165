import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import NIOCore

/// An error answered to a client as `{"error": "<message>", "field": "<path>"}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var field: String?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers
    }

    public static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, message, field: field)
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, message)
    }

    /// The status a policy error deserves. A reference to a missing entity inside a body is a bad
    /// request; the entity named by the path not existing is a 404.
    public init(_ error: PolicyError) {
        let status: HTTPResponse.Status = switch error.kind {
        case .invalid, .unknownReference: .badRequest
        case .duplicate, .inUse: .conflict
        case .notFound: .notFound
        }
        self.init(status, error.description, field: error.field.isEmpty ? nil : error.field)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: JSONValue] = ["error": .string(message)]
        if let field { body["field"] = .string(field) }
        var response = try JSONResponse.make(.object(body), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}
