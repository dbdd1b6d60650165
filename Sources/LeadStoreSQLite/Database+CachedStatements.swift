import GRDB
import LeadStore

extension Database {
    /// Runs one statement prepared once per connection. `execute(sql:)` parses and authorizes the SQL
    /// on every call; the statements of the ingest and delivery paths run for every lead.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
