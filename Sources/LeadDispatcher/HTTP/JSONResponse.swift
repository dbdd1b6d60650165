import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import NIOCore

/// JSON responses built from `JSONValue`, so that every field the API shows is spelt out by us and
/// keys come out sorted (stable diffs for people and tests).
public enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"items": [...]}`, the shape of every list.
    public static func list(_ items: [JSONValue]) throws -> Response {
        try make(.object(["items": .array(items)]))
    }
}
