import HTTPTypes
import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// The two headers every ingest request is read by, parsed by hand for speed: the same answers as
/// the rules they document.
@Suite struct HeaderParsingTests {
    @Test(arguments: [("Bearer ldv_abc", "ldv_abc"), ("bearer ldv_abc", "ldv_abc"), ("BEARER\tldv_abc", "ldv_abc"),
                      ("  Bearer   ldv_abc  ", "ldv_abc"), ("Bearer a b", "a b"), ("Bearer é", "é")])
    func readsTheBearerToken(_ header: String, _ token: String) {
        #expect(BearerAuthMiddleware.bearerToken(in: [.authorization: header]) == token)
    }

    @Test(arguments: ["", "   ", "Bearer", "Bearer   ", "Bearerldv_abc", "Basic dXNlcjpwYXNz", "Bear ldv", "ldv_abc"])
    func refusesWhatIsNoBearerToken(_ header: String) {
        #expect(BearerAuthMiddleware.bearerToken(in: [.authorization: header]) == nil)
    }

    @Test func noAuthorizationHeaderIsNoToken() {
        #expect(BearerAuthMiddleware.bearerToken(in: [:]) == nil)
    }

    @Test func readsTheMediaTypeInAnyCaseWithParameters() {
        for header in ["application/json", "Application/JSON; charset=utf-8", " application/json ;charset=utf-8"] {
            guard case .json? = LeadFormParser.format(of: header) else { Issue.record("\(header)"); continue }
        }
        guard case .urlEncoded? = LeadFormParser.format(of: "application/x-www-form-urlencoded; charset=UTF-8") else {
            Issue.record("form"); return
        }
        guard case .multipart(let boundary)? = LeadFormParser.format(of: #"multipart/form-data; charset=utf-8; Boundary="----xyz""#) else {
            Issue.record("multipart"); return
        }
        #expect(boundary == "----xyz")
        guard case .multipart(let none)? = LeadFormParser.format(of: "multipart/form-data") else { Issue.record("no boundary"); return }
        #expect(none.isEmpty)
        #expect(LeadFormParser.format(of: "text/plain") == nil)
        #expect(LeadFormParser.format(of: "application/jsonx") == nil)
        #expect(LeadFormParser.format(of: nil) == nil)
    }
}
