import HTTPTypes
import Hummingbird

/// Headers on every console answer: no script at all (the pages need none), nothing framed, no
/// referrer beyond the origin, no type sniffing, and no caching of pages that show leads.
struct ConsoleSecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headers: HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return headers
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            for field in Self.headers { response.headers[field.name] = field.value }
            if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
            return response
        } catch var error as ConsolePageError {
            error.headers.append(contentsOf: Self.headers)
            throw error
        }
    }
}
