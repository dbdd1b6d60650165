import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadPolicy
import LeadStore
import Logging
import Synchronization
import NIOCore
import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// Secrets stay out of the logs, and SQL takes values only as bound arguments.
@Suite struct SecretHygieneTests {
    /// Collects every log line, with its metadata, at every level.
    final class LogCapture: Sendable {
        let lines = Mutex<[String]>([])

        var text: String { lines.withLock { $0.joined(separator: "\n") } }

        func logger() -> Logger {
            var logger = Logger(label: "capture") { _ in Handler(capture: self) }
            logger.logLevel = .trace
            return logger
        }

        struct Handler: LogHandler {
            let capture: LogCapture
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                let all = metadata.merging(event.metadata ?? [:]) { $1 }
                capture.lines.withLock { $0.append("\(event.level) \(event.message) \(all)") }
            }
        }
    }

    @Test func noSecretReachesALogLine() async throws {
        let capture = LogCapture()
        let server = try await StandInServer.start()
        let service = try TestService()
        service.settings.crmURL = server.url
        service.settings.logLevel = .trace
        let store = try openStore(service.settings)
        let admin = try await store.createToken(name: "admin", role: .admin, actor: .cli("test")).secret
        let app = try await buildApplication(service.settings, store: store, logger: capture.logger())
        let secrets = try await app.test(.router) { client in
            try await SamplePolicy.create(client, token: admin)
            let vendorKey = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: admin)["api_key"]?.stringValue)
            let token = try #require(try await client.send(.post, "/v1/tokens", token: admin, json: #"{"name":"x","role":"auditor"}"#)["token"]?.stringValue)
            let posted = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(vendorKey)","fname":"Pat","tags":"buyer"}"#)
            _ = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(vendorKey)x","fname":"Pat"}"#)
            _ = try await client.send(.get, "/v1/agents", token: token + "x")
            let id = posted["lead_id"]?.stringValue ?? ""
            try await waitUntil("the lead is delivered") {
                try await client.send(.get, "/v1/leads/\(id)", token: admin)["status"] == .string("delivered")
            }
            return [vendorKey, token, admin, SamplePolicy.adminKey, SamplePolicy.janeKey, SamplePolicy.bobKey]
        }
        try store.close()
        await server.stop()
        let logs = capture.text
        #expect(logs.contains("delivery attempt"), "the capture saw nothing: \(logs.prefix(500))")
        for secret in secrets {
            #expect(!logs.contains(secret), "a log line holds \(secret.prefix(6))…")
        }
    }

    /// A query string can hold a vendor key (`?api_key=…`) or a searched email: request lines log the
    /// parameter names only. A dead lead leaves a `warning` line that `--log-level notice` keeps.
    @Test func queryValuesNeverReachALogLineAndADeadLeadWarns() async throws {
        let capture = LogCapture()
        let server = try await StandInServer.start()
        await server.crm.answer(otherwise: .fail(status: 500))
        let service = try TestService()
        service.settings.crmURL = server.url
        service.settings.logLevel = .trace
        service.settings.maxAttempts = 1
        let store = try openStore(service.settings)
        let admin = try await store.createToken(name: "admin", role: .admin, actor: .cli("test")).secret
        let app = try await buildApplication(service.settings, store: store, logger: capture.logger())
        let (vendorKey, leadID) = try await app.test(.router) { client in
            try await SamplePolicy.create(client, token: admin)
            let vendorKey = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: admin)["api_key"]?.stringValue)
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            let posted = try await client.execute(uri: "/clientapi/lead-import?api_key=\(vendorKey)&campaign_id=spring", method: .post,
                                                  headers: headers, body: ByteBuffer(string: "api_key=\(vendorKey)&fname=Pat&tags=buyer"))
            #expect(posted.status == .ok, "\(String(buffer: posted.body))")
            _ = try await client.send(.get, "/v1/leads?email=searched.person%40example.com&limit=5", token: admin)
            _ = try await client.send(.get, "/v1/leads.csv?email=searched.person@example.com", token: admin)
            let id = try #require(try await client.send(.get, "/v1/leads?limit=1", token: admin).items.first?.objectValue?["lead_id"]?.stringValue)
            try await waitUntil("the lead is dead") {
                try await client.send(.get, "/v1/leads/\(id)", token: admin)["status"] == .string("dead")
            }
            return (vendorKey, id)
        }
        try store.close()
        await server.stop()
        let logs = capture.text
        #expect(logs.contains("/v1/leads?email=…&limit=…"), "\(logs.prefix(2000))")
        for secret in [vendorKey, "searched.person", admin] {
            #expect(!logs.contains(secret), "a log line holds \(secret.prefix(6))…")
        }
        let dead = capture.lines.withLock { $0 }.filter { $0.contains("lead dead") }
        #expect(dead.count == 1, "\(logs.suffix(2000))")
        #expect(dead.first?.hasPrefix("warning ") == true)
        #expect(dead.first?.contains(leadID) == true)
    }

    @Test func requestLinesKeepParameterNamesOnly() {
        #expect(RequestLogMiddleware<DispatcherRequestContext>.redacted(path: "/v1/leads", query: nil) == "/v1/leads")
        #expect(RequestLogMiddleware<DispatcherRequestContext>.redacted(path: "/v1/leads", query: "email=a%40b.com&&limit=5&flag")
                == "/v1/leads?email=…&limit=…&flag=…")
        #expect(RequestLogMiddleware<DispatcherRequestContext>.redacted(path: "/x", query: "ke\ny=1") == "/x?key=…")
    }

    /// Every interpolation inside an SQL string in the store is one of these fragments, which are built
    /// from constants in code; a value from outside must be a bound `?` argument instead.
    @Test func sqlInterpolatesOnlyFragmentsBuiltFromConstants() throws {
        let allowed: Set<String> = ["column.table", "column.sealed", "column.hint", "whereClause", "filter", "LeadTables.summaryColumns",
                                    "AuditLog.previousHashColumn", "order"]
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources")
        let files = try ["LeadStore", "LeadStoreSQLite"].flatMap { module in
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(module).path).filter { $0.hasSuffix(".swift") }
                .map { root.appendingPathComponent(module).appendingPathComponent($0) }
        }
        #expect(files.count > 40)
        var found: Set<String> = []
        let keywords = ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", " FROM ", " WHERE "]
        for url in files {
            let file = url.lastPathComponent
            let text = try String(contentsOf: url, encoding: .utf8)
            var inSQLBlock = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.contains("sql: \"\"\"") { inSQLBlock = true }
                let isSQL = inSQLBlock || ((line.contains("sql: \"") || line.contains("sql = \"")) && keywords.contains { line.contains($0) })
                if isSQL {
                    var rest = line[...]
                    while let range = rest.range(of: "\\(") {
                        let after = rest[range.upperBound...]
                        let name = after.prefix { $0 != ")" }
                        found.insert(String(name))
                        #expect(allowed.contains(String(name)), "\(file): SQL interpolates \(name)")
                        rest = after
                    }
                }
                if inSQLBlock, line.trimmingCharacters(in: .whitespaces).hasPrefix("\"\"\""), !line.contains("sql:") { inSQLBlock = false }
            }
        }
        // The scanner sees every fragment in use, so it would see a new one too.
        #expect(found == allowed)
    }

    /// On PostgreSQL a value interpolated into a query is sent as a bound parameter (`PostgresQuery`'s
    /// interpolation); only text given as `unsafeSQL:` goes into the statement itself, and there every
    /// interpolation is one of these fragments, built from constants in code.
    @Test func postgresUnsafeSQLInterpolatesOnlyConstants() throws {
        let allowed: Set<String> = ["column", "table"]
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/LeadStorePostgres")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 5)
        var found: Set<String> = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            // `\(unescaped:)` would put raw text into a statement: not used at all.
            #expect(!text.contains("unescaped:"), "\(file) interpolates unescaped text into SQL")
            for line in text.split(separator: "\n") where line.contains("unsafeSQL:") {
                var rest = line[line.range(of: "unsafeSQL:")!.upperBound...]
                while let range = rest.range(of: "\\(") {
                    let name = String(rest[range.upperBound...].prefix { $0 != ")" })
                    found.insert(name)
                    #expect(allowed.contains(name), "\(file): unsafeSQL interpolates \(name)")
                    rest = rest[range.upperBound...]
                }
            }
        }
        #expect(found == allowed)
    }

    /// Services are written out whole at `debug` (ServiceLifecycle names each one it starts), settings
    /// included: the master key and the database's password never appear.
    @Test func settingsWrittenOutHideTheKeyAndThePassword() throws {
        var settings = DispatcherSettings()
        settings.secretKey = MasterKey.generate().base64
        settings.database = "postgres://dispatcher:pa55-word-9@db.example:5432/leads"
        struct Service { let settings: DispatcherSettings }
        for text in [String(describing: settings), String(reflecting: settings), "\(Service(settings: settings))",
                     String(reflecting: Service(settings: settings))] {
            #expect(!text.contains(settings.secretKey!) && !text.contains("pa55-word-9"), "\(text)")
            #expect(text.contains("postgres://dispatcher:•••@db.example:5432/leads"), "\(text)")
        }
    }
}
