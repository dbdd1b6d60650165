import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// `/v1/users`: console users, with a write-only password kept as a bcrypt hash.
@Suite struct UserAPITests {
    @Test func createListUpdateAndDisableWithoutEverShowingAPassword() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            let created = try await client.send(.post, "/v1/users", token: token,
                                                json: #"{"email":"Ann.Admin@Sunset.example","name":"Ann Admin","role":"admin","password":"correct horse battery"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.location] == "/v1/users/ann-admin")
            #expect(created["password"] == nil && !created.text.contains("correct horse"))
            // Without a password, one is generated and shown this once.
            let generated = try await client.send(.post, "/v1/users", token: token, json: #"{"email":"bo@sunset.example","role":"auditor"}"#)
            #expect(generated.status == .created)
            let password = try #require(generated["password"]?.stringValue)
            #expect(password.count == 20)
            #expect(generated["name"] == .string("bo"))

            let list = try await client.send(.get, "/v1/users", token: service.auditorToken)
            #expect(list.items.count == 2)
            #expect(!list.text.contains(password) && !list.text.contains("$2b$") && !list.text.contains("password"))
            let patched = try await client.send(.patch, "/v1/users/bo", token: token, json: #"{"name":"Bo Lee","password":"another long secret"}"#)
            #expect(patched["name"] == .string("Bo Lee"), "\(patched.text)")
            #expect(try await client.send(.delete, "/v1/users/bo", token: token).status == .noContent)
            #expect(try await client.send(.get, "/v1/users/bo", token: token)["disabled"] == .bool(true))

            // Stored as bcrypt hashes that verify, never as the passwords.
            let store = try #require(service.store)
            let (bo, hash) = try #require(try await store.userForSignIn(email: "BO@sunset.example"))
            #expect(bo.disabled)
            #expect(hash.hasPrefix("$2"))
            #expect(await Passwords.verify("another long secret", hash: hash))
            #expect(await !Passwords.verify(password, hash: hash))
            let events = try await client.send(.get, "/v1/audit-events?type=user.disabled", token: token).items
            #expect(events.count == 1)
            #expect(!(try await client.send(.get, "/v1/audit-events?limit=100", token: token).text.contains("$2")))
        }
        #expect(service.databaseBytes().range(of: Data("correct horse battery".utf8)) == nil)
    }

    @Test func badInputIsNamedAndTheLastAdminStays() async throws {
        let service = try TestService()
        try await service.test { client in
            let token = service.adminToken
            let cases: [(String, String)] = [
                (#"{"role":"admin"}"#, "email"),
                (#"{"email":"not an email","role":"admin"}"#, "email"),
                (#"{"email":"a@b.example","role":"root"}"#, "role"),
                (#"{"email":"a@b.example","role":"admin","password":"short"}"#, "password"),
                (#"{"email":"a@b.example","role":"admin","password":"\#(String(repeating: "x", count: 73))"}"#, "password"),
                (#"{"email":"a@b.example","role":"admin","name":"two\rlines"}"#, "name"),
                (#"{"email":"a@b.example","role":"admin","password":42}"#, "password"),
                (#"{"email":"a@b.example","role":"admin","hash":"x"}"#, "hash"),
            ]
            for (body, field) in cases {
                let response = try await client.send(.post, "/v1/users", token: token, json: body)
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect(response.field == field, "\(body): \(response.text)")
            }
            #expect(try await client.send(.post, "/v1/users", token: service.auditorToken, json: #"{"email":"a@b.example","role":"admin"}"#).status == .forbidden)
            #expect(try await client.send(.post, "/v1/users", token: token, json: #"{"email":"ann@b.example","role":"admin"}"#).status == .created)
            let duplicate = try await client.send(.post, "/v1/users", token: token, json: #"{"email":"ANN@b.example","role":"auditor"}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.field == "email")
            // The only enabled admin can be neither disabled nor made an auditor.
            #expect(try await client.send(.delete, "/v1/users/ann", token: token).status == .conflict)
            let demoted = try await client.send(.patch, "/v1/users/ann", token: token, json: #"{"role":"auditor"}"#)
            #expect(demoted.status == .conflict)
            #expect(demoted.error?.contains("last enabled console admin") == true)
            #expect(try await client.send(.get, "/v1/users/nobody", token: token).status == .notFound)
            #expect(try await client.send(.patch, "/v1/users/nobody", token: token, json: #"{"name":"X"}"#).status == .notFound)
        }
    }
}
