import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore {
    /// Writes a consistent copy of the database to `path` with `VACUUM INTO`, from a connection that only
    /// reads: safe while the service runs, and the copy holds every transaction committed before it began.
    ///
    /// The copy is created first, empty and with mode 0600 (it holds contact details and sealed keys, as
    /// the database does), and `VACUUM INTO` fills it.
    public func backup(to path: String) async throws {
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard folder.isEmpty || (FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) else {
            throw StoreError.conflict("cannot write the backup to \(path): there is no folder \(folder) (create it first)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it exists already, and a backup never overwrites a file" : String(cString: strerror(errno))
            throw StoreError.conflict("cannot write the backup to \(path): \(reason)")
        }
        try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).close()
        do {
            try await pool.unsafeRead { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [path])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Re-encrypts every CRM key (those in force and those kept with policy versions) and the check value
    /// under `newKey` in one transaction; returns how many keys of the policy in force. The store keeps
    /// using its old key until it is reopened, so the caller switches the key file (or environment) next.
    public func reencryptSecrets(with newKey: MasterKey) async throws -> Int {
        let oldBox = try requireSecretBox()
        let newBox = SecretBox(masterKey: newKey)
        return try await pool.write { db in
            let count = try SealedSecrets.reseal(from: oldBox, to: newBox, in: db)
            try AuditLog.append(NewAuditEvent(type: "secrets.rotated", entityKind: "master_key", entityID: nil,
                                              after: .object(["keys": .number(Double(count))])), actor: .cli("secrets rotate"), in: db)
            return count
        }
    }
}
