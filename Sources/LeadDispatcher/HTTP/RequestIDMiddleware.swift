import HTTPTypes
import Hummingbird

/// Answers every request with `X-Request-Id`, the id that its log lines carry (`hb.request.id`), so
/// a client's report can be matched to the log.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[Self.headerName] = context.id
            return response
        } catch let error as APIError {
            var error = error
            error.headers[Self.headerName] = context.id
            throw error
        }
    }
}
