import Foundation
import GRDB
import LeadPolicy
import Testing

@testable import LeadStore
@testable import LeadStoreSQLite

/// `v4-lean-write-path` rebuilds the outbox and the routing counters and narrows the status index on
/// databases that already hold leads: nothing may be lost, and the status filters must still answer.
@Suite struct LeanWritePathMigrationTests {
    @Test func aDatabaseWrittenBeforeKeepsEveryRowAndAnswersEveryStatusFilter() async throws {
        let database = try TemporaryDatabase()
        do {
            // A database as v3 left it, with a queued, a dead and a delivered lead.
            let queue = try DatabaseQueue(path: database.path)
            try Schema.migrator.migrate(queue, upTo: "v3-audit-plane")
            try await queue.write { db in
                for (id, status, at) in [("ld_1", "delivered", "2026-11-01T09:00:00.000Z"), ("ld_2", "dead", "2026-11-02T09:00:00.000Z"),
                                         ("ld_3", "queued", "2026-11-03T09:00:00.000Z")] {
                    try db.execute(sql: """
                        INSERT INTO lead (id, received_at, vendor_id, tags_json, fields_json, status, decision_json, updated_at, target_agent_id)
                        VALUES (?, ?, 'v', '[]', '{}', ?, '{}', ?, 'a')
                        """, arguments: [id, at, status, at])
                }
                try db.execute(sql: "INSERT INTO outbox (lead_id, due_at, attempts, rejections) VALUES ('ld_3', '2026-11-03T09:00:00.000Z', 2, 1)")
                try db.execute(sql: "INSERT INTO pool_rotation (pool_id, agent_id, current) VALUES ('p', 'a', -3), ('p', 'b', 3)")
                try db.execute(sql: "INSERT INTO agent_daily_count (agent_id, day, count) VALUES ('a', '2026-11-03', 7)")
            }
            try queue.close()
        }
        let store = try database.open()
        try await store.pool.read { db in
            #expect(try Row.fetchOne(db, sql: "SELECT lead_id, due_at, attempts, rejections FROM outbox")
                == ["lead_id": "ld_3", "due_at": "2026-11-03T09:00:00.000Z", "attempts": 2, "rejections": 1])
            // The rotation's positions, kept since v9 as the pool's checkpoint at its pick 0.
            #expect(try String.fetchOne(db, sql: "SELECT positions_json FROM rotation_checkpoint WHERE pool_id = 'p' AND seq = 0") == #"{"a":-3,"b":3}"#)
            #expect(try Int.fetchOne(db, sql: "SELECT count FROM agent_daily_count WHERE agent_id = 'a' AND day = '2026-11-03'") == 7)
            for table in ["outbox", "agent_daily_count"] {
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? ""
                #expect(sql.hasSuffix("WITHOUT ROWID"), "\(table)")
            }
            // The outbox still follows its lead out.
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM lead WHERE status = 'dead' ORDER BY received_at DESC")
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
            #expect(plan.contains("lead_on_rare_status_received_at"), "\(plan)")
        }
        for (status, ids) in [(LeadStatus.dead, ["ld_2"]), (.delivered, ["ld_1"]), (.queued, ["ld_3"]), (.unrouted, [])] {
            #expect(try await store.leads(LeadQuery(status: status)).map(\.id) == ids, "\(status)")
        }
        let snapshot = try await store.pipelineSnapshot()
        #expect(snapshot.deadLeads == 1)
    }
}
