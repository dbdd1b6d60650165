import Foundation
import Hummingbird

extension ConsoleChrome {
    /// The chrome of a page answering `request`: the signed-in user and the form token bound to the
    /// request's session cookie.
    init(_ title: String, path: String, request: Request, context: DispatcherRequestContext) {
        self.init(title: title, path: path, user: context.consoleUser,
                  cookie: request.cookies[ConsoleSession.cookieName].map { String($0.value) })
    }
}
