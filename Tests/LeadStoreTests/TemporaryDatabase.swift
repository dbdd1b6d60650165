import Foundation
import LeadStore
@testable import LeadStoreSQLite

/// A fresh folder for one test's database, removed when the test ends.
final class TemporaryDatabase: Sendable {
    let directory: URL
    let masterKey: MasterKey

    init(masterKey: MasterKey = .generate()) throws {
        self.masterKey = masterKey
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lead-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var path: String { directory.appendingPathComponent("dispatcher.sqlite").path }

    func open(readOnly: Bool = false) throws -> SQLiteStore {
        try SQLiteStore(path: path, masterKey: masterKey, readOnly: readOnly)
    }

    /// Every byte the database has on disk: the main file and its WAL.
    func bytesOnDisk() throws -> Data {
        var data = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let chunk = FileManager.default.contents(atPath: path + suffix) { data.append(chunk) }
        }
        return data
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}
