import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import NIOCore

/// JSON responses built from `JSONValue`, so that every field the API shows is spelt out by us and
/// keys come out sorted (stable diffs for people and tests).
public enum JSONResponse {
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) throws -> Response {
        // What `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` writes, without its cost (JSONText's tests hold the two to the same text).
        var text = JSONText(capacity: 256)
        text.value(value, sortingKeys: true)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: text.bytes)))
    }

    /// `{"items": [...]}`, the shape of every list.
    public static func list(_ items: [JSONValue]) throws -> Response {
        try make(.object(["items": .array(items)]))
    }
}
