import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore
import Logging

/// Turns the errors of the lower layers into API errors, and anything unexpected into a 500 that
/// reveals nothing but the request id (the details go to the log).
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable
    let storage: StorageHealth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch where storage.isFullFailure(error) {
            throw APIError(.serviceUnavailable, "storage full: the dispatcher cannot write to its database now; nothing changed, retry later",
                           headers: [.retryAfter: String(StorageHealth.retryAfterSeconds)])
        } catch where storage.isUnavailableFailure(error) {
            throw APIError(.serviceUnavailable, "database unavailable: the dispatcher cannot reach its database now; nothing changed, retry shortly",
                           headers: [.retryAfter: String(StorageHealth.unavailableRetryAfterSeconds)])
        } catch let error as PolicyError {
            throw APIError(error)
        } catch let error as StoreError {
            switch error {
            case .notFound: throw APIError(.notFound, error.description)
            case .conflict: throw APIError(.conflict, error.description)
            default:
                context.logger.error("store failure", metadata: ["error": "\(error)"])
                throw APIError(.internalServerError, "internal error (request \(context.id))")
            }
        } catch let error as HTTPError where error.status == .notFound && (context.endpointPath ?? "NotFound") == "NotFound" {
            // The router placed the request nowhere: say whether the path or the method is wrong.
            throw routes.unmatched(request)
        } catch let error as HTTPError {
            // Hummingbird's own errors (a malformed parameter, a body too large) carry no JSON body.
            throw APIError(error.status, error.body ?? error.status.reasonPhrase, headers: error.headers)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            // Errors from GRDB or Foundation carry no secrets: SQL arguments are never in their text.
            context.logger.error("unexpected failure", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal error (request \(context.id))")
        }
    }
}
