import LeadStore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on `<database>.lock`, held by every process that writes the database.
///
/// The system SQLite (3.40) must see one writer connection only: a second process that writes or
/// checkpoints the same WAL database could corrupt it. `serve` holds this lock for its lifetime; the
/// CLI's writing commands take it too, and refuse to run when they cannot.
public final class DatabaseLock: Sendable {
    private let descriptor: Mutex<Int32?>
    public let path: String

    /// Takes the lock or throws `StoreError.databaseInUse` at once; it never waits.
    public init(databasePath: String) throws {
        path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.conflict("cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError.databaseInUse(path: databasePath)
        }
        descriptor = Mutex(fd)
    }

    /// Lets another writer in. Called when the store closes; also done when the lock is freed.
    public func release() {
        descriptor.withLock { fd in
            guard let open = fd else { return }
            flock(open, LOCK_UN)
            close(open)
            fd = nil
        }
    }

    deinit {
        release()
    }
}
