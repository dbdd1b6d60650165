/// The sign-in page: the form, the local path to return to, and why the last try failed.
struct LoginPage {
    let chrome: ConsoleChrome
    let next: String
    let email: String
    let message: String?

    init(next: String, email: String = "", message: String? = nil) {
        chrome = ConsoleChrome(title: "Sign in", user: nil, cookie: nil)
        self.next = next
        self.email = email
        self.message = message
    }
}

/// An error page.
struct ErrorPage {
    let chrome: ConsoleChrome
    let heading: String
    let message: String
}
