import Foundation
import GRDB
import LeadPolicy
import LeadStore
import PostgresNIO
import PostgresTestCluster
import Testing
@testable import LeadStoreSQLite

/// Tampering with the audit log by raw SQL, as someone with database access could, and seeing the
/// verification fail at the right event, on both databases.
@Suite struct AuditChainTests {
    /// The hash of every event ever recorded depends on this exact form, so it is pinned to a value
    /// computed elsewhere (Python's hashlib over the canonical text written out by hand): SHA-256 of the
    /// previous hash, a newline, and the columns as JSONEncoder writes an array of them (`/` escaped).
    @Test func anEventsHashIsSHA256OfThePreviousHashAndItsCanonicalColumns() {
        let hash = AuditChain.hash(prevHash: String(repeating: "ab", count: 32), seq: 5, at: "2026-12-01T00:00:00.000Z",
                                   type: "lead.routed", actor: AuditActor(kind: .vendor, id: "zillow", name: "Zillow"),
                                   entityKind: "lead", entityID: "ld_1", before: nil, after: #"{"a":"b/c"}"#)
        #expect(hash == "98d62f87e9e744414a6fc3af5204b66dbbcfe8870505b480a35d1d1376baefc1")
    }

    /// A log of nine events: five tokens created, then four revoked.
    func populated(_ kind: StoreKind) async throws -> StoreUnderTest {
        let opened = try await StoreUnderTest.open(kind)
        let store = opened.store
        var ids: [String] = []
        for index in 0..<5 {
            ids.append(try await store.createToken(name: "token \(index)", role: .auditor, actor: .cli("test")).0.id)
        }
        for id in ids.prefix(4) {
            _ = try await store.revokeToken(id: id, actor: .cli("test"))
        }
        let verified = try await store.verifyAuditChain()
        let newest = try await store.auditEvents(type: nil, limit: 1, beforeSeq: nil).first
        #expect(verified == ChainVerification(ok: true, checked: 9, firstBrokenID: nil, problem: nil, newestID: "9", newestHash: newest?.hash))
        #expect(newest?.hash.count == 64)
        return opened
    }

    /// Runs raw SQL on the database behind the store's back — on SQLite once the store is closed (one
    /// writer) — then verifies through a store opened afresh.
    func tamper(_ opened: StoreUnderTest, _ statements: String...) async throws -> ChainVerification {
        await opened.close()
        switch opened.kind {
        case .sqlite:
            let database = try #require(opened.sqlite)
            let queue = try DatabaseQueue(path: database.path)
            try await queue.write { db in
                for statement in statements { try db.execute(sql: statement) }
            }
            try queue.close()
            return try await database.open(readOnly: true).verifyAuditChain()
        case .postgres:
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withConnection(database: try #require(opened.databaseName)) { connection in
                for statement in statements {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresTestCluster.logger).collect()
                }
            }
            let fresh = try await opened.secondInstance()
            let verified = try await fresh.verifyAuditChain()
            await fresh.close()
            return verified
        }
    }

    @Test(arguments: StoreKind.allCases) func anIntactLogVerifies(_ kind: StoreKind) async throws {
        let opened = try await populated(kind)
        let result = try await tamper(opened)
        #expect(result.ok && result.checked == 9)
    }

    @Test(arguments: StoreKind.allCases) func anEditedEventBreaksTheChainAtThatEvent(_ kind: StoreKind) async throws {
        let opened = try await populated(kind)
        let result = try await tamper(opened, "UPDATE audit_event SET actor_name = 'someone else' WHERE seq = 4")
        #expect(!result.ok)
        #expect(result.firstBrokenID == "4")
        #expect(result.checked == 3)
        #expect(result.problem?.contains("content") == true)
    }

    @Test(arguments: StoreKind.allCases) func aRecomputedHashStillBreaksTheNextLink(_ kind: StoreKind) async throws {
        let opened = try await populated(kind)
        // Whoever edits event 4 and fixes its own hash still leaves event 5 pointing at the old one.
        let result = try await tamper(opened, "UPDATE audit_event SET hash = '\(String(repeating: "a", count: 64))' WHERE seq = 4")
        #expect(result.firstBrokenID == "4")
        let opened2 = try await populated(kind)
        let events = try await opened2.store.auditEvents(type: nil, limit: 100, beforeSeq: nil)
        let fourth = try #require(events.first { $0.seq == 4 })
        var forged = fourth
        forged.actor = AuditActor(kind: .cli, id: nil, name: "forger")
        let forgedHash = AuditChain.hash(of: forged)
        let result2 = try await tamper(opened2, "UPDATE audit_event SET actor_name = 'forger', hash = '\(forgedHash)' WHERE seq = 4")
        #expect(result2.firstBrokenID == "5")
        #expect(result2.problem?.contains("hash of the event before") == true)
    }

    @Test(arguments: StoreKind.allCases) func aDeletedEventBreaksTheChainAtTheNextOne(_ kind: StoreKind) async throws {
        let opened = try await populated(kind)
        let result = try await tamper(opened, "DELETE FROM audit_event WHERE seq = 6")
        #expect(!result.ok)
        #expect(result.firstBrokenID == "7")
        #expect(result.checked == 5)
    }

    @Test(arguments: StoreKind.allCases) func aDeletedTailIsNoticed(_ kind: StoreKind) async throws {
        let opened = try await populated(kind)
        let result = try await tamper(opened, "DELETE FROM audit_event WHERE seq >= 8")
        #expect(!result.ok)
        #expect(result.firstBrokenID == "8")
        #expect(result.checked == 7)
    }

    @Test(arguments: StoreKind.allCases) func anInsertedEventBreaksTheChain(_ kind: StoreKind) async throws {
        let opened = try await populated(kind)
        let result = try await tamper(opened, "UPDATE audit_event SET seq = seq + 100 WHERE seq > 5", """
            INSERT INTO audit_event (seq, at, type, actor_kind, actor_name, entity_kind, hash)
            VALUES (6, '2026-01-01T00:00:00.000Z', 'token.created', 'cli', 'forger', 'token', 'y')
            """)
        #expect(!result.ok)
        #expect(result.firstBrokenID == "6")
    }
}
