import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import NIOCore

/// Reads admin-API bodies: JSON objects only, size-limited, with errors that say what is wrong.
enum JSONRequestBody {
    static func object(_ request: Request, limit: Int) async throws -> [String: JSONValue] {
        if let contentType = request.headers[.contentType],
           !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json, not \(contentType)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "the body is larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.badRequest("the body must be a JSON object")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer))
        } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("the body must be a JSON object, not \(value.kindName)")
        }
        return object
    }
}
