import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy

/// Shows the console's errors as pages with their status: a refused form (403), a missing page (404),
/// bad input (400), anything unforeseen (500, with the request id; the details go to the log).
struct ConsoleErrorPageMiddleware: RouterMiddleware {
    typealias Context = DispatcherRequestContext
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ConsolePageError {
            var response = page(error.status, error.message, context: context)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as APIError {
            return page(error.status, error.message, context: context)
        } catch let error as PolicyError {
            return page(APIError(error).status, error.description, context: context)
        } catch let error as HTTPError {
            return page(error.status, error.body ?? error.status.reasonPhrase, context: context)
        } catch {
            context.logger.error("console: unexpected failure", metadata: ["error": "\(error)"])
            return page(.internalServerError, "Something went wrong (request \(context.id)).", context: context)
        }
    }

    func page(_ status: HTTPResponse.Status, _ message: String, context: Context) -> Response {
        pages.render("error", ErrorPage(chrome: ConsoleChrome(title: status.reasonPhrase, user: nil, cookie: nil),
                                        heading: "\(status.code) \(status.reasonPhrase)", message: message), status: status)
    }
}
