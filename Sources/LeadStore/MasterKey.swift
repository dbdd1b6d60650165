import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The 256-bit key under which CRM keys are encrypted at rest.
///
/// It comes from `DISPATCHER_SECRET_KEY` (base64 of 32 bytes) when set; otherwise from a key file
/// beside the database, created with mode 0600 on first start. A key given in the environment keeps
/// the secret off the disk that holds the database, which is what production should do.
public struct MasterKey: Sendable {
    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    public init(base64: String) throws {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw StoreError.masterKey("DISPATCHER_SECRET_KEY must be the base64 encoding of exactly 32 bytes (try: openssl rand -base64 32)")
        }
        key = SymmetricKey(data: data)
    }

    /// A new random key.
    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    public var base64: String {
        key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The key file used when no key is given: `<database>.key`.
    public static func defaultKeyFilePath(forDatabase databasePath: String) -> String {
        databasePath + ".key"
    }

    /// Writes this key to `path` (mode 0600, synced to disk), which must not exist: a rotation stages
    /// the new key here before re-encrypting, so that it is never lost.
    public func writeNewKeyFile(at path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError.masterKey("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data((base64 + "\n").utf8))
        try handle.synchronize()
    }

    /// Moves a staged key file over the key file in one step.
    public static func promote(staged: String, to path: String) throws {
        guard rename(staged, path) == 0 else {
            throw StoreError.masterKey("cannot replace \(path) with \(staged): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads the key file, or creates it (mode 0600) when `create` is true and it does not exist.
    public static func loadOrCreate(keyFile path: String, create: Bool) throws -> MasterKey {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw StoreError.masterKey("cannot read key file \(path): \(error.localizedDescription)")
            }
            do {
                return try MasterKey(base64: text)
            } catch {
                throw StoreError.masterKey("key file \(path) does not hold the base64 of 32 bytes")
            }
        }
        guard create else {
            throw StoreError.masterKey("no DISPATCHER_SECRET_KEY and no key file at \(path)")
        }
        let key = generate()
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // Created exclusively with mode 0600, so the key is never readable by others, not even briefly.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError.masterKey("cannot create key file \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data((key.base64 + "\n").utf8))
            try handle.synchronize()
        } catch {
            throw StoreError.masterKey("cannot write key file \(path): \(error.localizedDescription)")
        }
        return key
    }
}
