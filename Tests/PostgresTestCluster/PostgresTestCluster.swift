import Foundation
import Logging
import PostgresNIO

/// A throwaway PostgreSQL cluster for the tests, started once per test process: Debian's `postgresql`
/// binaries, a new data folder under the temporary folder, listening on 127.0.0.1 only, on a free
/// port, with a password (scram-sha-256) as a deployment would have. Each test asks for a database of
/// its own (`makeDatabase()`).
///
/// PostgreSQL refuses to run as root, so as root (these machines and CI) it runs as the `postgres`
/// user through `runuser`. The server is started in the foreground by a small shell that stops it
/// (fast shutdown) and removes its folder when the test process is gone, so no server outlives the tests; `pg_ctl start`
/// is not used because its daemon keeps the starting process waiting.
public final class PostgresTestCluster: Sendable {
    public let port: Int
    public let folder: String
    public static let user = "dispatcher"
    public let password: String

    /// The cluster of this test process, started at the first use.
    public static func shared() async throws -> PostgresTestCluster {
        try await starter.cluster()
    }

    private static let starter = Starter()

    /// One start for every caller: the first starts the cluster, the others wait for that start
    /// (an actor alone would let a second caller in while the first is starting, and start another).
    private actor Starter {
        private var starting: Task<PostgresTestCluster, any Error>?

        func cluster() async throws -> PostgresTestCluster {
            if starting == nil { starting = Task { try await PostgresTestCluster.start() } }
            return try await starting!.value
        }
    }

    private init(port: Int, folder: String, password: String) {
        self.port = port
        self.folder = folder
        self.password = password
    }

    /// A cluster of the caller's own, for a test that stops and starts its server (the shared one
    /// serves every other test meanwhile).
    public static func startPrivate() async throws -> PostgresTestCluster {
        try await start()
    }

    /// Stops the server (fast shutdown: connections are closed), as an operator's restart would.
    public func stopServer() async throws {
        let bin = try Self.binaries()
        try await Self.run(Self.asPostgres[0], Array(Self.asPostgres.dropFirst()) + [bin + "/pg_ctl", "-D", folder + "/data", "stop", "-m", "fast", "-w"])
    }

    /// Starts the server again on the same port and folder, and waits until it answers.
    public func startServer() async throws {
        try await Self.launch(bin: try Self.binaries(), folder: folder, port: port)
    }

    /// A new, empty database on the cluster; its name is returned with the configuration to reach it.
    public func makeDatabase(prefix: String = "test") async throws -> (name: String, configuration: PostgresClient.Configuration) {
        let name = "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
        try await withConnection(database: "postgres") { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger).collect()
        }
        return (name, configuration(database: name))
    }

    /// How to reach `database` as the cluster's superuser, over TCP on the loopback port.
    public func configuration(database: String) -> PostgresClient.Configuration {
        PostgresClient.Configuration(host: "127.0.0.1", port: port, username: Self.user, password: password, database: database, tls: .disable)
    }

    /// The URL a `--database` flag takes for `database`.
    public func url(database: String) -> String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)"
    }

    /// One connection for the length of `body`.
    public func withConnection<T: Sendable>(database: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let configuration = PostgresConnection.Configuration(host: "127.0.0.1", port: port, username: Self.user, password: password,
                                                             database: database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Self.logger)
        do {
            let result = try await body(connection)
            // Every statement's answer read before the connection closes.
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    public static let logger = Logger(label: "postgres-test-cluster")

    // MARK: Starting

    /// PostgreSQL refuses to run as root: as root, its programs run as `postgres` through `runuser`.
    private static var asPostgres: [String] {
        getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : ["/usr/bin/env"]
    }

    private static func start() async throws -> PostgresTestCluster {
        let bin = try binaries()
        let folder = NSTemporaryDirectory() + "lead-dispatcher-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let password = "test-" + UUID().uuidString
        let passwordFile = folder + "/password"
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        if getuid() == 0 {
            try await run("/bin/chown", ["-R", "postgres:postgres", folder])
        }
        let initdb = asPostgres + [bin + "/initdb", "-D", folder + "/data", "-U", user, "--pwfile=" + passwordFile,
                                   "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"]
        try await run(initdb[0], Array(initdb.dropFirst()))
        let port = try freePort()
        try await launch(bin: bin, folder: folder, port: port)
        return PostgresTestCluster(port: port, folder: folder, password: password)
    }

    /// Runs the server in the foreground of a small shell whose parent is this test process: once the
    /// process is gone, the shell stops the server and removes the folder. Returns once it answers.
    private static func launch(bin: String, folder: String, port: Int) async throws {
        let server = (asPostgres + [bin + "/postgres", "-D", folder + "/data", "-p", String(port), "-k", folder,
                                    "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"])
            .map(shellQuoted).joined(separator: " ")
        let script = """
            \(server) >> \(shellQuoted(folder + "/server.log")) 2>&1 &
            parent=\(getpid())
            while kill -0 "$parent" 2>/dev/null; do sleep 1; done
            kill -INT "$(head -n 1 \(shellQuoted(folder + "/data/postmaster.pid")))" 2>/dev/null
            tries=0
            while [ -e \(shellQuoted(folder + "/data/postmaster.pid")) ] && [ $tries -lt 300 ]; do sleep 0.1; tries=$((tries + 1)); done
            rm -rf \(shellQuoted(folder))
            """
        let keeper = Process()
        keeper.executableURL = URL(fileURLWithPath: "/bin/sh")
        keeper.arguments = ["-c", script]
        keeper.standardInput = FileHandle.nullDevice
        keeper.standardOutput = FileHandle.nullDevice
        keeper.standardError = FileHandle.nullDevice
        try keeper.run()
        let deadline = Date().addingTimeInterval(60)
        while true {
            if (try? await run(bin + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port)])) != nil { break }
            guard Date() < deadline else {
                let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "(no log)"
                throw ClusterError("PostgreSQL did not start on port \(port) within 60 s: \(log)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The folder of Debian's newest PostgreSQL server binaries.
    private static func binaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/postgres") else {
            throw ClusterError("no PostgreSQL server under \(root): install Debian's `postgresql` (.ci/run does)")
        }
        return "\(root)/\(newest)/bin"
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError("no socket for a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw ClusterError("bind failed for a free port") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw ClusterError("getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs a program to its end; throws with what it printed when it fails.
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else {
            throw ClusterError("\(([executable] + arguments).joined(separator: " ")) exited \(status): \(printed)")
        }
        return printed
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
