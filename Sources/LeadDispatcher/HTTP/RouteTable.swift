import HTTPTypes
import Hummingbird
import Synchronization

/// The routes the router serves, by path pattern, so that a request the router cannot place is
/// answered as a REST client expects: 405 with `Allow` for a known path asked with another method,
/// 404 for a path that does not exist — each with a JSON body, never an empty one.
final class RouteTable: Sendable {
    private struct Route: Sendable {
        /// `v1`, `agents`, `{id}`: a captured segment (as `RouterPath` describes it) matches any one.
        let segments: [Substring]
        let method: HTTPRequest.Method
    }

    private let routes = Mutex<[Route]>([])

    /// Reads the router's routes; called once every route is registered.
    func record<Context>(_ router: Router<Context>) {
        let all = router.routes.map { Route(segments: $0.path.description.split(separator: "/"), method: $0.method) }
        routes.withLock { $0 = all }
    }

    /// The methods a path is served with (empty for an unknown path).
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        let methods = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern == "*" || pattern == segment }
            }.map(\.method)
        }
        return Array(Set(methods)).sorted { $0.rawValue < $1.rawValue }
    }

    /// The error for a request no route took.
    func unmatched(_ request: Request) -> APIError {
        let allowed = methods(for: request.uri.path)
        guard !allowed.isEmpty else {
            return APIError(.notFound, "no such endpoint: \(request.method.rawValue) \(request.uri.path) (the API is described at /openapi.yaml)")
        }
        var headers = HTTPFields()
        headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(.methodNotAllowed, "\(request.uri.path) does not take \(request.method.rawValue); it takes \(allowed.map(\.rawValue).joined(separator: ", "))",
                        headers: headers)
    }
}
