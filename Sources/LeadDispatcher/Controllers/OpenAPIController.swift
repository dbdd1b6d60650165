import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.yaml`: the API reference (`Docs/openapi.yaml`), built into the binary.
struct OpenAPIController {
    func addRoutes(to router: Router<DispatcherRequestContext>) {
        let document = Self.document
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
    }

    static let document: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else { return Array("openapi: 3.1.0\n".utf8) }
        return Array(data)
    }()
}
