import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import NIOCore
import NIOPosix
import Testing
import DispatcherStores
import LeadStoreSQLite

/// Input meant to hurt: every case gets a clear 4xx (or a closed connection) and the server stays healthy.
@Suite struct HostileInputTests {
    static func ingest(_ client: any TestClientProtocol, _ body: ByteBuffer, contentType: String = "application/json") async throws -> JSONTestResponse {
        let response = try await client.execute(uri: "/clientapi/lead-import", method: .post, headers: [.contentType: contentType], body: body)
        return JSONTestResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    @Test func deeplyNestedJSONIsRefused() async throws {
        try await IngestTests.withVendor { client, key, service in
            let depth = 5_000
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let response = try await Self.ingest(client, ByteBuffer(string: #"{"api_key":"\#(key)","fname":"Pat","notes":\#(nested)}"#))
            #expect(response.status == .badRequest)
            #expect(response["success"] == .bool(false))
            let admin = try await client.send(.post, "/v1/agents", token: service.adminToken, json: #"{"name":\#(nested)}"#)
            #expect(admin.status == .badRequest)
            #expect(try await client.send(.get, "/healthz").status == .ok)
        }
    }

    @Test func tenThousandFieldsAreRefused() async throws {
        try await IngestTests.withVendor { client, key, _ in
            let many = (0..<10_000).map { #""f\#($0)":1"# }.joined(separator: ",")
            let large = try await Self.ingest(client, ByteBuffer(string: #"{"api_key":"\#(key)","fname":"Pat",\#(many)}"#))
            #expect(large.status == .contentTooLarge)
            let fewer = (0..<1_000).map { #""f\#($0)":1"# }.joined(separator: ",")
            let tooMany = try await Self.ingest(client, ByteBuffer(string: #"{"api_key":"\#(key)","fname":"Pat",\#(fewer)}"#))
            #expect(tooMany.status == .badRequest)
            #expect(tooMany.error?.contains("too many fields") == true)
            let form = (0..<1_000).map { "f\($0)=1" }.joined(separator: "&")
            let tooManyForm = try await Self.ingest(client, ByteBuffer(string: "api_key=\(key)&fname=Pat&\(form)"),
                                                    contentType: "application/x-www-form-urlencoded")
            #expect(tooManyForm.status == .badRequest)
        }
    }

    @Test func invalidUTF8IsRefused() async throws {
        try await IngestTests.withVendor { client, key, service in
            var json = ByteBuffer(string: #"{"api_key":"\#(key)","fname":""#)
            json.writeBytes([0xC3, 0x28, 0xFF])
            json.writeString(#""}"#)
            #expect(try await Self.ingest(client, json).status == .badRequest)
            var form = ByteBuffer(string: "api_key=\(key)&fname=")
            form.writeBytes([0xFF, 0xFE])
            #expect(try await Self.ingest(client, form, contentType: "application/x-www-form-urlencoded").status == .badRequest)
            var admin = ByteBuffer(string: #"{"name":""#)
            admin.writeBytes([0xFF])
            admin.writeString(#""}"#)
            let response = try await client.execute(uri: "/v1/accounts", method: .post,
                                                    headers: [.contentType: "application/json", .authorization: "Bearer \(service.adminToken)"], body: admin)
            #expect(response.status == .badRequest)
        }
    }

    /// Whether the server closes this connection within five seconds.
    static func closedByServer(_ channel: any Channel) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await channel.closeFuture.get(); return true }
            group.addTask { try await Task.sleep(for: .seconds(5)); return false }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test func oversizedHeadersAndStalledClientsAreCutOffAndTheServerStaysHealthy() async throws {
        let service = try TestService()
        service.settings.idleTimeout = 0.5
        try await service.test(.live) { client in
            let port = try #require(client.port)
            func connect() async throws -> any Channel {
                try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            }
            // A 100 KiB header is over the decoder's limit: the connection is closed, nothing is served.
            let oversized = try await connect()
            let padding = String(repeating: "a", count: 100 * 1024)
            try? await oversized.writeAndFlush(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: \(padding)\r\n\r\n")).get()
            #expect(try await Self.closedByServer(oversized))

            // A client that sends half a request and stalls is disconnected after the idle timeout (on a
            // loaded machine the server may close it as idle before the half request is even written).
            let stalled = try await connect()
            try? await stalled.writeAndFlush(ByteBuffer(string: "POST /clientapi/lead-import HTTP/1.1\r\nHost: x\r\n")).get()
            #expect(try await Self.closedByServer(stalled))

            #expect(await ServeCommandTests.get("http://127.0.0.1:\(port)/healthz")?.0 == 200)
        }
    }
}
