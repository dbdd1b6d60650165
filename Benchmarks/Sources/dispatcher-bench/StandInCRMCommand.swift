import ArgumentParser
import Hummingbird
import Logging
import NIOCore

/// A loopback stand-in for Buying Buddy's Lead Import endpoint: reads the posted lead and answers
/// `{"success": true}` at once, so the delivery drain measures the dispatcher, not a remote CRM.
struct StandInCRMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stand-in-crm", abstract: "Serve a stand-in Buying Buddy endpoint.")

    @Option(help: "Port to listen on (127.0.0.1).") var port = 18081

    func run() async throws {
        let router = Router()
        let answer = ByteBuffer(string: #"{"success":true,"message":"Lead imported"}"#)
        router.post("/clientapi/lead-import") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: answer))
        }
        var logger = Logger(label: "stand-in-crm")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}
