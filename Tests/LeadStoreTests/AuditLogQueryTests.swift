import Foundation
import GRDB
import Testing

@testable import LeadStore
@testable import LeadStoreSQLite

/// The audit log's filters at the plans that keep them fast at a million leads, finding every event.
@Suite struct AuditLogQueryTests {
    /// The index on an event's `type` leaves out the four events every lead has (`v12`): a filter on any
    /// type still finds its events, a rare type is found through the index, and a type with a time range
    /// no longer reads every event of that type.
    @Test func everyTypeIsFoundAndARareOneThroughItsIndex() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        try await store.pool.write { db in
            for index in 0..<300 {
                for type in AuditLog.everyLeadsTypes.sorted() {
                    try AuditLog.append(NewAuditEvent(type: type, entityKind: "lead", entityID: "ld_\(index)"), actor: .service, in: db)
                }
                if index % 100 == 0 {
                    try AuditLog.append(NewAuditEvent(type: "lead.dead", entityKind: "lead", entityID: "ld_\(index)"), actor: .service, in: db)
                    try AuditLog.append(NewAuditEvent(type: "policy.restored", entityKind: "policy", entityID: nil), actor: .cli("test"), in: db)
                }
            }
        }
        #expect(try await store.auditEvents(AuditEventQuery(type: "lead.dead", limit: 50)).map(\.entityID) == ["ld_200", "ld_100", "ld_0"])
        #expect(try await store.auditEvents(AuditEventQuery(type: "policy.restored", limit: 50)).count == 3)
        let routed = try await store.auditEvents(AuditEventQuery(type: "lead.routed", limit: 50))
        #expect(routed.count == 50 && routed.allSatisfy { $0.type == "lead.routed" } && routed.first?.entityID == "ld_299")
        let today = AuditEventQuery(type: "lead.routed", since: Date().addingTimeInterval(-3600), until: Date().addingTimeInterval(3600), limit: 500)
        #expect(try await store.auditEvents(today).count == 300)

        try await store.pool.read { db in
            func plan(_ query: AuditEventQuery) throws -> String {
                let statement = AuditLog.statement(query)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                    .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
            }
            let rare = try plan(AuditEventQuery(type: "lead.dead", limit: 50))
            #expect(rare.contains("audit_event_on_rare_type"), "\(rare)")
            // An event every lead has, in a time range: by time, not by every event of the type.
            let common = try plan(today)
            #expect(common.contains("audit_event_on_at"), "\(common)")
            #expect(try String.fetchOne(db, sql: "SELECT name FROM sqlite_master WHERE name = 'audit_event_on_type'") == nil)
        }
        #expect(try await store.verifyAuditChain().ok)
        try store.close()
    }

    /// A time range is read along the index on `at`, newest first, with no sort of the range's events;
    /// paging by its cursor finds each event once, even where the clock was set back between two.
    @Test func aTimeRangeIsPagedAlongItsIndexAndFindsEachEventOnce() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        let start = try #require(Timestamp.parse("2026-11-03T09:00:00.000Z"))
        // Ten events a minute apart, then the clock set back five minutes, then ten more.
        let times = (0..<10).map { start.addingTimeInterval(Double($0) * 60) } + (0..<10).map { start.addingTimeInterval(Double($0 + 5) * 60) }
        try await store.pool.write { db in
            var writer = try AuditWriter(db)
            for (index, at) in times.enumerated() {
                try writer.append(NewAuditEvent(type: index.isMultiple(of: 2) ? "lead.routed" : "agent.updated", entityKind: "lead", entityID: "ld_\(index)"),
                                  actor: .service, at: at, in: db)
            }
        }
        var query = AuditEventQuery(since: start.addingTimeInterval(120), until: start.addingTimeInterval(12 * 60), limit: 3)
        var seen: [AuditEvent] = []
        while true {
            let page = try await store.auditEvents(query)
            seen += page
            guard page.count == query.limit, let last = page.last else { break }
            query.beforeSeq = last.seq
        }
        let expected = times.enumerated().filter { $0.element >= query.since! && $0.element < query.until! }
            .sorted { ($0.element, $0.offset) > ($1.element, $1.offset) }.map { "ld_\($0.offset)" }
        #expect(seen.map(\.entityID) == expected)
        #expect(Set(seen.map(\.seq)).count == seen.count)

        try await store.pool.read { db in
            let statement = AuditLog.statement(AuditEventQuery(since: start, until: start.addingTimeInterval(3600), limit: 50, beforeSeq: 9))
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
            #expect(plan.contains("audit_event_on_at") && !plan.contains("TEMP B-TREE"), "\(plan)")
        }
        try store.close()
    }
}
