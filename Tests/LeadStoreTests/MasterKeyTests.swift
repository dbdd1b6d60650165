import Foundation
import LeadStore
import Testing
@testable import LeadStoreSQLite

@Suite struct MasterKeyTests {
    @Test func keyFileIsCreatedOnceWithMode0600() throws {
        let database = try TemporaryDatabase()
        let path = database.directory.appendingPathComponent("sub/dispatcher.sqlite.key").path
        let created = try MasterKey.loadOrCreate(keyFile: path, create: true)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let loaded = try MasterKey.loadOrCreate(keyFile: path, create: true)
        #expect(loaded.base64 == created.base64)
    }

    @Test func aMissingKeyFileIsAnErrorWhenNotCreating() throws {
        let database = try TemporaryDatabase()
        #expect(throws: StoreError.self) {
            _ = try MasterKey.loadOrCreate(keyFile: database.directory.appendingPathComponent("none.key").path, create: false)
        }
    }

    @Test func environmentKeyMustBe32BytesOfBase64() throws {
        let key = MasterKey.generate()
        #expect(try MasterKey(base64: key.base64).base64 == key.base64)
        #expect(throws: StoreError.self) { _ = try MasterKey(base64: "c2hvcnQ=") }
        #expect(throws: StoreError.self) { _ = try MasterKey(base64: "not base64 at all!") }
    }
}
