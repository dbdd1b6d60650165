import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import NIOCore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// Signing in to the console: sessions in cookies that scripts cannot read or other sites send, bound
/// form tokens, no open redirect, limits on guessing, and sessions that outlive a restart but not a
/// disabled user.
@Suite struct ConsoleSessionTests {
    static let password = "a long enough secret"

    /// A service with an admin user `ann@sunset.example`.
    static func service() async throws -> TestService {
        let service = try TestService()
        let store = try openStore(service.settings)
        _ = try await store.createUser(email: "ann@sunset.example", name: "Ann Admin", role: .admin,
                                       passwordHash: await Passwords.hash(password), actor: .cli("test"))
        try store.close()
        return service
    }

    @Test func signInSetsAStrictHttpOnlyCookieAndThePagesNeedIt() async throws {
        let service = try await Self.service()
        try await service.test { client in
            let away = try await client.send(.get, "/console")
            #expect(away.status == .seeOther)
            #expect(away.headers[.location] == "/console/login")
            let page = try await client.send(.get, "/console/login?next=/console")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<form method="post" action="/console/login">"#))
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")

            let wrong = try await client.signIn("ann@sunset.example", "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            #expect(wrong.text.contains("The email or the password is wrong."))
            let unknown = try await client.signIn("nobody@sunset.example", Self.password)
            #expect(unknown.status == .unauthorized && unknown.text.contains("The email or the password is wrong."))

            let signedIn = try await client.signIn("ANN@sunset.example", Self.password, next: "/console")
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/console")
            let setCookie = try #require(signedIn.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/console"))
            let cookie = try #require(ConsoleClient.cookie(from: signedIn))
            let home = try await client.send(.get, "/console", headers: [.cookie: cookie])
            #expect(home.status == .ok)
            #expect(home.text.contains("Ann Admin") && home.text.contains("The pipeline now"))
            #expect(home.headers[.cacheControl] == "no-store")
            // Only the cookie's hash is stored.
            let value = String(cookie.split(separator: "=", maxSplits: 1)[1])
            #expect(service.databaseBytes().range(of: Data(value.utf8)) == nil)
        }
    }

    @Test func signInReturnsOnlyToLocalConsolePaths() async throws {
        let service = try await Self.service()
        try await service.test { client in
            for (next, expected) in [("/console?x=1", "/console?x=1"), ("https://evil.example/", "/console"), ("//evil.example", "/console"),
                                     ("/\\evil.example", "/console"), ("/v1/agents", "/console")] {
                let response = try await client.signIn("ann@sunset.example", Self.password, next: next)
                #expect(response.headers[.location] == expected, "next \(next)")
            }
        }
    }

    @Test func formsNeedTheirSessionsTokenAndSameSite() async throws {
        let service = try await Self.service()
        try await service.test { client in
            let cookie = try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", Self.password)))
            let token = try #require(ConsoleClient.csrfToken(in: try await client.send(.get, "/console", headers: [.cookie: cookie])))
            for body in ["", "csrf_token=", "csrf_token=\(String(repeating: "0", count: 64))"] {
                let refused = try await client.post("/console/logout", form: body, cookie: cookie)
                #expect(refused.status == .forbidden, "body \(body)")
                #expect(refused.text.contains("Reload the page"))
            }
            let crossSite = try await client.post("/console/logout", form: "csrf_token=\(token)", cookie: cookie,
                                                  headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            // Refused forms changed nothing: still signed in.
            #expect(try await client.send(.get, "/console", headers: [.cookie: cookie]).status == .ok)
            let out = try await client.post("/console/logout", form: "csrf_token=\(token)", cookie: cookie)
            #expect(out.status == .seeOther && out.headers[.location] == "/console/login")
            #expect(try await client.send(.get, "/console", headers: [.cookie: cookie]).status == .seeOther)
        }
    }

    @Test func anotherSiteCannotSignAVisitorIn() async throws {
        let service = try await Self.service()
        try await service.test { client in
            let response = try await client.post("/console/login", form: "email=ann%40sunset.example&password=a+long+enough+secret",
                                                  headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(response.status == .forbidden)
            #expect(response.headers[.setCookie] == nil)
        }
    }

    @Test func guessingIsLimitedPerEmail() async throws {
        let service = try await Self.service()
        try await service.test { client in
            for _ in 0..<5 {
                #expect(try await client.signIn("ann@sunset.example", "wrong guess").status == .unauthorized)
            }
            let limited = try await client.signIn("ann@sunset.example", Self.password)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 && $0 <= 900 } == true)
            #expect(limited.headers[.setCookie] == nil)
        }
    }

    @Test func sessionsOutliveARestartButNotADisabledUser() async throws {
        let service = try await Self.service()
        let cookie = try await service.test { client in
            try #require(ConsoleClient.cookie(from: try await client.signIn("ann@sunset.example", Self.password)))
        }
        try await service.test { client in
            #expect(try await client.send(.get, "/console", headers: [.cookie: cookie]).status == .ok)
            // Another admin disables Ann: her session ends at her next page.
            _ = try await client.send(.post, "/v1/users", token: service.adminToken, json: #"{"email":"cy@sunset.example","role":"admin"}"#)
            #expect(try await client.send(.delete, "/v1/users/ann-admin", token: service.adminToken).status == .noContent)
            #expect(try await client.send(.get, "/console", headers: [.cookie: cookie]).status == .seeOther)
            let disabled = try await client.signIn("ann@sunset.example", Self.password)
            #expect(disabled.status == .forbidden && disabled.text.contains("disabled"))
        }
    }
}

/// Console requests in tests: forms and cookies by hand, as a browser sends them.
enum ConsoleClient {
    /// A service with an auditor, `ann@sunset.example`, who may sign in to the console.
    static func serviceWithAuditor() async throws -> TestService {
        let service = try TestService()
        let store = try openStore(service.settings)
        _ = try await store.createUser(email: "ann@sunset.example", name: "Ann Auditor", role: .auditor,
                                       passwordHash: await Passwords.hash(ConsoleSessionTests.password), actor: .cli("test"))
        try store.close()
        return service
    }

    /// Signs the auditor in; the session cookie, as `name=value`.
    static func signInAuditor(_ client: any TestClientProtocol) async throws -> String {
        try #require(cookie(from: try await client.signIn("ann@sunset.example", ConsoleSessionTests.password)))
    }

    /// `name=value` of the session cookie a response sets.
    static func cookie(from response: JSONTestResponse) -> String? {
        response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
    }

    static func csrfToken(in page: JSONTestResponse) -> String? {
        guard let range = page.text.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(page.text[range.upperBound...].prefix(64))
    }
}

extension TestClientProtocol {
    func post(_ uri: String, form: String, cookie: String? = nil, headers extra: HTTPFields = [:]) async throws -> JSONTestResponse {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { headers[.cookie] = cookie }
        let response = try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: form))
        return JSONTestResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func signIn(_ email: String, _ password: String, next: String = "/console") async throws -> JSONTestResponse {
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        return try await post("/console/login", form: "email=\(encoded(email))&password=\(encoded(password))&next=\(encoded(next))")
    }
}
