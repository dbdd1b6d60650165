import Foundation
import Hummingbird
import LeadPolicy
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// A loopback stand-in for Buying Buddy's Lead Import endpoint: records what it receives and fails on
/// command.
actor StandInCRM {
    enum Behaviour: Sendable {
        case succeed
        case fail(status: Int)
        case tooManyRequests(retryAfter: String)
        case reject
        case slow(seconds: Double)
        case notJSON
    }

    struct Received: Sendable {
        let at: Date
        let contentType: String
        let fields: [String: JSONValue]
        var apiKey: String? { fields["api_key"]?.stringValue }
    }

    private var script: [Behaviour] = []
    private var otherwise: Behaviour = .succeed
    private(set) var received: [Received] = []
    /// Requests being answered now, and the most there ever were at once.
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0

    fileprivate func begin() {
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
    }

    fileprivate func end() { inFlight -= 1 }

    /// The next answers, in order; after them, `otherwise`.
    func answer(_ behaviours: Behaviour..., otherwise: Behaviour = .succeed) {
        script = behaviours
        self.otherwise = otherwise
    }

    fileprivate func next(_ received: Received) -> Behaviour {
        self.received.append(received)
        return script.isEmpty ? otherwise : script.removeFirst()
    }
}

/// The stand-in running on 127.0.0.1 on a free port.
final class StandInServer: Sendable {
    let crm: StandInCRM
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)/clientapi/lead-import" }

    private init(crm: StandInCRM, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.crm = crm
        self.port = port
        self.group = group
        self.task = task
    }

    static func start() async throws -> StandInServer {
        let crm = StandInCRM()
        let router = Router()
        router.post("/clientapi/lead-import") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let contentType = request.headers[.contentType] ?? ""
            let format = LeadFormParser.format(of: contentType) ?? .json
            let fields = (try? LeadFormParser.fields(body, format: format)) ?? [:]
            // Counted until the answer is ready, before the client can see it: no request the client
            // sends after an answer overlaps the one answered.
            await crm.begin()
            let response = try await Self.respond(await crm.next(.init(at: Date(), contentType: contentType, fields: fields)))
            await crm.end()
            return response
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "stand-in-crm")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var iterator = stream.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return StandInServer(crm: crm, port: port, group: group, task: task)
    }

    private static func respond(_ behaviour: StandInCRM.Behaviour) async throws -> Response {
        switch behaviour {
        case .succeed:
            return try JSONResponse.make(.object(["success": .bool(true)]))
        case .fail(let status):
            return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: "failure")))
        case .tooManyRequests(let retryAfter):
            return Response(status: .tooManyRequests, headers: [.retryAfter: retryAfter])
        case .reject:
            return try JSONResponse.make(.object(["success": .bool(false)]))
        case .slow(let seconds):
            try await Task.sleep(for: .seconds(seconds))
            return try JSONResponse.make(.object(["success": .bool(true)]))
        case .notJSON:
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<html>ok</html>")))
        }
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// A server that accepts connections and closes them at once: a dropped connection.
final class DroppingServer: Sendable {
    let channel: any Channel
    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/clientapi/lead-import" }

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.close() }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    func stop() async {
        try? await channel.close()
    }
}
