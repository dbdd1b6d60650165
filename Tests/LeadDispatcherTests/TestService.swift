import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import NIOCore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// A dispatcher on a fresh database in its own folder, with an admin and an auditor token.
final class TestService: @unchecked Sendable {
    let directory: URL
    var settings = DispatcherSettings()
    private(set) var adminToken = ""
    private(set) var auditorToken = ""
    /// The store the running application uses, for assertions on what it committed.
    private(set) var store: SQLiteStore?

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lead-dispatcher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        settings.database = directory.appendingPathComponent("data/dispatcher.sqlite").path
        settings.port = 0
        // Failed deliveries log at warning, and many tests stage them on purpose: errors only, so that a
        // test run's output shows what went wrong with the tests.
        settings.logLevel = .error
        settings.deliveryTimeout = 2
        settings.shutdownGracePeriod = 2
        settings.circuitCoolDown = 0.05
        settings.crmURL = "http://127.0.0.1:9/clientapi/lead-import"
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Opens the store, creates the two tokens, builds the application and runs `test` against it.
    @discardableResult
    func test<Value>(_ setup: TestingSetup = .router, _ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let store = try openStore(settings)
        if adminToken.isEmpty {
            adminToken = try await store.createToken(name: "Test Admin", role: .admin, actor: .cli("test")).secret
            auditorToken = try await store.createToken(name: "Test Auditor", role: .auditor, actor: .cli("test")).secret
        }
        self.store = store
        defer {
            self.store = nil
            // Close now rather than when the last reference goes, so the next test run may open it.
            try? store.close()
        }
        let app = try await buildApplication(settings, store: store)
        return try await app.test(setup, test)
    }

    /// Every byte the database has on disk: the main file and its WAL.
    func databaseBytes() -> Data {
        var data = Data()
        for suffix in ["", "-wal"] {
            if let chunk = FileManager.default.contents(atPath: settings.database + suffix) { data.append(chunk) }
        }
        return data
    }
}

/// A response with its body decoded as JSON.
struct JSONTestResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    let json: JSONValue

    init(status: HTTPResponse.Status, headers: HTTPFields, text: String) {
        self.status = status
        self.headers = headers
        self.text = text
        json = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    var object: [String: JSONValue] { json.objectValue ?? [:] }
    subscript(key: String) -> JSONValue? { object[key] }
    var items: [JSONValue] {
        guard case .array(let items)? = object["items"] else { return [] }
        return items
    }
    var error: String? { object["error"]?.stringValue }
    var field: String? { object["field"]?.stringValue }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON body.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> JSONTestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return JSONTestResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }
}

/// A small but complete policy, created through the API.
enum SamplePolicy {
    static let adminKey = "bb-admin-key-acme-0001"
    static let janeKey = "bb-user-key-jane-0002"
    static let bobKey = "bb-user-key-bob-00003"

    static func create(_ client: any TestClientProtocol, token: String) async throws {
        let requests: [(String, String)] = [
            ("/v1/accounts", #"{"id":"acme","name":"Acme Realty","admin_api_key":"\#(adminKey)"}"#),
            ("/v1/agents", #"{"id":"jane","account_id":"acme","name":"Jane Doe","email":"jane@acme.example","api_key":"\#(janeKey)"}"#),
            ("/v1/agents", #"{"id":"bob","account_id":"acme","name":"Bob Roe","api_key":"\#(bobKey)","weight":3,"daily_cap":20}"#),
            ("/v1/pools", #"{"id":"buyers","name":"Buyers","members":[{"agent_id":"jane"},{"agent_id":"bob"}]}"#),
            ("/v1/vendors", #"{"id":"zillow","name":"Zillow"}"#),
            ("/v1/rules", #"{"id":"zillow-buyers","name":"Zillow buyers","priority":10,"match":{"vendor_ids":["zillow"],"tags_any":["buyer"]},"action":{"type":"pool","pool_id":"buyers"},"fallback":{"type":"crm_round_robin","account_id":"acme"}}"#),
        ]
        for (uri, body) in requests {
            let response = try await client.send(.post, uri, token: token, json: body)
            #expect(response.status == .created, "\(uri): \(response.text)")
        }
    }
}

extension JSONValue {
    /// A whole number's value.
    var intValue: Int? {
        guard case .number(let number) = self, number.rounded() == number else { return nil }
        return Int(number)
    }
}
