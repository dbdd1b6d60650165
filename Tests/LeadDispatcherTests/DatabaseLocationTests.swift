import Foundation
import LeadDispatcher
import Testing

/// The `database` setting: a file path, or a PostgreSQL URL read as libpq reads it, each mistake
/// named and the password never shown.
@Suite struct DatabaseLocationTests {
    @Test func pathsAreSQLiteAndURLsArePostgres() throws {
        for path in ["./data/dispatcher.sqlite", "/var/lib/leads.sqlite", "leads.sqlite", "./odd://name/x.sqlite"] {
            #expect(try DatabaseLocation(path) == .sqlite(path: path), "\(path)")
        }
        let url = try #require({ () throws -> PostgresURL? in
            if case .postgres(let url) = try DatabaseLocation("postgres://dispatcher:p%40ss@db.example:6543/leads?sslmode=require") { return url }
            return nil
        }())
        #expect(url.user == "dispatcher" && url.password == "p@ss" && url.host == "db.example" && url.port == 6543)
        #expect(url.database == "leads" && url.sslMode == "require")
        #expect(url.description == "postgres://dispatcher:•••@db.example:6543/leads?sslmode=require")
        guard case .postgres(let short) = try DatabaseLocation("postgresql://app@127.0.0.1/leads") else { Issue.record("not postgres"); return }
        #expect(short.port == 5432 && short.password == nil && short.sslMode == "prefer")
    }

    @Test func eachMistakeIsNamedAndThePasswordNeverShown() {
        let cases: [(String, String)] = [
            ("postgres://dispatcher:s3cret@/leads", "names no host"),
            ("postgres://:s3cret@db/leads", "names no user"),
            ("postgres://dispatcher:s3cret@db:70000/leads", "port 70000"),
            ("postgres://dispatcher:s3cret@db:5432/", "names no database"),
            ("postgres://dispatcher:s3cret@db/leads?sslmode=sometimes", "sslmode 'sometimes'"),
            ("postgres://dispatcher:s3cret@db/leads?pool=5", "'pool' is not a parameter"),
            ("mysql://dispatcher:s3cret@db/leads", "not a database this service runs on"),
            ("   ", "must be a file path"),
        ]
        for (text, message) in cases {
            do {
                _ = try DatabaseLocation(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.key == "database")
                #expect(error.message.contains(message), "\(text): \(error.message)")
                #expect(!error.description.contains("s3cret"), "\(error.description)")
            }
        }
    }
}
