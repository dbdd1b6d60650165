import Foundation
import GRDB
import Testing

@testable import LeadStore
@testable import LeadStorePostgres
@testable import LeadStoreSQLite

/// The audit log's filters find every event on both databases; on SQLite, at the plans that keep them
/// fast at a million leads.
@Suite struct AuditLogQueryTests {
    /// Appends events at the times given, through the store's own chain writer, in one transaction.
    func append(_ events: [(event: NewAuditEvent, actor: AuditActor, at: Date)], to opened: StoreUnderTest) async throws {
        switch opened.store {
        case let store as SQLiteStore:
            try await store.pool.write { db in
                var writer = try AuditWriter(db)
                for (event, actor, at) in events { try writer.append(event, actor: actor, at: at, in: db) }
            }
        case let store as PostgresStore:
            try await store.transaction { connection in
                var writer = PostgresAuditWriter()
                for (event, actor, at) in events { writer.append(event, actor: actor, at: at) }
                try await writer.write(connection, logger: store.logger)
            }
        default:
            Issue.record("no writer for \(type(of: opened.store))")
        }
    }

    /// The index on an event's `type` leaves out the four events every lead has (`v12`): a filter on any
    /// type still finds its events, a rare type is found through the index, and a type with a time range
    /// no longer reads every event of that type.
    @Test(arguments: StoreKind.allCases) func everyTypeIsFoundAndARareOneThroughItsIndex(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        var events: [(event: NewAuditEvent, actor: AuditActor, at: Date)] = []
        for index in 0..<300 {
            for type in AuditLog.everyLeadsTypes.sorted() {
                events.append((NewAuditEvent(type: type, entityKind: "lead", entityID: "ld_\(index)"), .service, Date()))
            }
            if index % 100 == 0 {
                events.append((NewAuditEvent(type: "lead.dead", entityKind: "lead", entityID: "ld_\(index)"), .service, Date()))
                events.append((NewAuditEvent(type: "policy.restored", entityKind: "policy", entityID: nil), .cli("test"), Date()))
            }
        }
        try await append(events, to: opened)
        #expect(try await store.auditEvents(AuditEventQuery(type: "lead.dead", limit: 50)).map(\.entityID) == ["ld_200", "ld_100", "ld_0"])
        #expect(try await store.auditEvents(AuditEventQuery(type: "policy.restored", limit: 50)).count == 3)
        let routed = try await store.auditEvents(AuditEventQuery(type: "lead.routed", limit: 50))
        #expect(routed.count == 50 && routed.allSatisfy { $0.type == "lead.routed" } && routed.first?.entityID == "ld_299")
        let today = AuditEventQuery(type: "lead.routed", since: Date().addingTimeInterval(-3600), until: Date().addingTimeInterval(3600), limit: 500)
        #expect(try await store.auditEvents(today).count == 300)

        #expect(try await store.verifyAuditChain().ok)
        guard let sqlite = store as? SQLiteStore else { return await opened.close() }
        try await sqlite.pool.read { db in
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
        await opened.close()
    }

    /// A time range is read along the index on `at`, newest first, with no sort of the range's events;
    /// paging by its cursor finds each event once, even where the clock was set back between two.
    @Test(arguments: StoreKind.allCases) func aTimeRangeIsPagedAlongItsIndexAndFindsEachEventOnce(_ kind: StoreKind) async throws {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        let start = try #require(Timestamp.parse("2026-11-03T09:00:00.000Z"))
        // Ten events a minute apart, then the clock set back five minutes, then ten more.
        let times = (0..<10).map { start.addingTimeInterval(Double($0) * 60) } + (0..<10).map { start.addingTimeInterval(Double($0 + 5) * 60) }
        try await append(times.enumerated().map { index, at in
            (NewAuditEvent(type: index.isMultiple(of: 2) ? "lead.routed" : "agent.updated", entityKind: "lead", entityID: "ld_\(index)"), .service, at)
        }, to: opened)
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

        guard let sqlite = store as? SQLiteStore else { return await opened.close() }
        try await sqlite.pool.read { db in
            let statement = AuditLog.statement(AuditEventQuery(since: start, until: start.addingTimeInterval(3600), limit: 50, beforeSeq: 9))
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
            #expect(plan.contains("audit_event_on_at") && !plan.contains("TEMP B-TREE"), "\(plan)")
        }
        await opened.close()
    }
}
