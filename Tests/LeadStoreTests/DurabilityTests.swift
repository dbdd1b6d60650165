import Foundation
import LeadStore
import Testing
@testable import LeadStoreSQLite

@Suite struct DurabilityTests {
    @Test func writerRunsWithSynchronousFullInWALMode() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        #expect(try await store.writerSynchronousMode() == 2)
        #expect(try await store.journalMode() == "wal")
        #expect(await store.isReady())
        #expect(try await store.appliedMigrations() == ["v1-config-plane", "v2-dispatch", "v3-audit-plane", "v4-lean-write-path", "v5-restorable-versions", "v6-console-users",
                                                             "v7-account-active", "v8-decisions-rederived", "v9-rotation-checkpoints",
                                                             "v10-audit-prev-hash-derived", "v11-rotations-from-checkpoints",
                                                             "v12-audit-type-index-for-rare-types", "v13-agent-time"])
    }

    @Test func theDatabaseAndItsKeyFileAreReadableByTheOwnerOnly() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        _ = try await store.createToken(name: "ops", role: .admin, actor: .cli("test"))
        for path in [database.path, database.path + "-wal"] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(path)")
        }
    }

    @Test func createsTheParentFolder() throws {
        let database = try TemporaryDatabase()
        let nested = database.directory.appendingPathComponent("a/b/dispatcher.sqlite").path
        _ = try SQLiteStore(path: nested, masterKey: database.masterKey)
        #expect(FileManager.default.fileExists(atPath: nested))
    }

    @Test func aSecondWriterIsRefusedWhileTheFirstIsOpen() throws {
        let database = try TemporaryDatabase()
        let first = try database.open()
        #expect {
            _ = try database.open()
        } throws: { error in
            guard case StoreError.databaseInUse = error else { return false }
            return true
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsReleasedWhenTheWriterCloses() throws {
        let database = try TemporaryDatabase()
        do {
            let first = try database.open()
            try first.close()
        }
        _ = try database.open()
    }

    @Test func readOnlyOpeningWorksBesideTheWriter() async throws {
        let database = try TemporaryDatabase()
        let writer = try database.open()
        _ = try await writer.createToken(name: "ops", role: .admin, actor: .cli("test"))
        let reader = try database.open(readOnly: true)
        #expect(try await reader.tokens().map(\.name) == ["ops"])
        await #expect(throws: (any Error).self) {
            _ = try await reader.createToken(name: "nope", role: .admin, actor: .cli("test"))
        }
    }

    @Test func readOnlyOpeningRefusesAMissingDatabase() throws {
        let database = try TemporaryDatabase()
        #expect(throws: StoreError.self) { _ = try database.open(readOnly: true) }
    }
}
