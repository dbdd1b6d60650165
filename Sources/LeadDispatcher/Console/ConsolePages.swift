import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The console's templates (a `head` and a `foot` partial around each page), loaded once at start
/// from the bundled resources, and rendered HTML-escaped (swift-mustache's default).
struct ConsolePages: Sendable {
    let library: MustacheLibrary
    /// The stylesheet, served with a day's caching.
    let stylesheet: ByteBuffer

    static func load() async throws -> ConsolePages {
        guard let resources = Bundle.module.resourcePath else { throw ConsolePagesMissing() }
        let folder = resources + "/Console"
        let library = try await MustacheLibrary(directory: folder + "/templates")
        guard let css = FileManager.default.contents(atPath: folder + "/style.css") else { throw ConsolePagesMissing() }
        for name in ["head", "foot", "login", "error", "dashboard", "leads", "lead", "list", "pools", "pool", "audit", "verify", "versions", "version", "fairness", "entity", "fields", "decision", "policy", "simulate", "recover"] where library.getTemplate(named: name) == nil {
            throw ConsolePagesMissing()
        }
        return ConsolePages(library: library, stylesheet: ByteBuffer(bytes: css))
    }

    /// A page as an HTML response.
    func render(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(model, withTemplate: template) ?? ""
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    struct ConsolePagesMissing: Error, CustomStringConvertible {
        var description: String { "the console's templates are missing from the resource bundle (lead-dispatcher_LeadDispatcher.resources/Console)" }
    }
}

/// A console request that cannot be served, shown as a page (never a stack trace).
struct ConsolePageError: Error {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
}
