import Hummingbird
import Logging

/// One log line per request: its method, its path and the names of its query parameters, never
/// their values. Hummingbird's `LogRequestsMiddleware` logs the whole URI, and a query may hold a
/// vendor's key (`?api_key=ldv_…`) or a searched email (`/v1/leads?email=…`).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    init(_ level: Logger.Level) {
        self.level = level
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.logger.log(level: level, "Request", metadata: [
            "hb.request.path": .string(Self.redacted(path: request.uri.path, query: request.uri.query)),
            "hb.request.method": .string(request.method.rawValue),
        ])
        return try await next(request, context)
    }

    /// `/v1/leads?email=…&limit=…`: the path and each parameter's name, every value replaced by `…`.
    static func redacted(path: String, query: String?) -> String {
        guard let query, !query.isEmpty else { return path }
        let names = query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            // A name is the client's text too: keep it short and printable.
            let printable = String(name.prefix(64).unicodeScalars.filter { $0.value >= 0x21 && $0.value < 0x7F }.map(Character.init))
            return printable + "=…"
        }
        return path + "?" + names.joined(separator: "&")
    }
}
