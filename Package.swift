// swift-tools-version:6.2
import PackageDescription

// Upcoming features the Hummingbird packages enable on their own targets; we follow them.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "lead-dispatcher",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lead-dispatcher", targets: ["lead-dispatcher"]),
        .library(name: "LeadPolicy", targets: ["LeadPolicy"]),
        .library(name: "LeadStore", targets: ["LeadStore"]),
        .library(name: "LeadStoreSQLite", targets: ["LeadStoreSQLite"]),
        .library(name: "LeadStorePostgres", targets: ["LeadStorePostgres"]),
        .library(name: "LeadDispatcher", targets: ["LeadDispatcher"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The routing policy: pure data and decisions, Foundation only.
        .target(
            name: "LeadPolicy",
            swiftSettings: swiftSettings
        ),
        // What any database behind the service is: the repository protocols, the domain types they
        // speak, secrets (sealing, tokens, the master key) and the audit chain's hash. No driver.
        .target(
            name: "LeadStore",
            dependencies: [
                "LeadPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded default: every repository on SQLite through GRDB (schema, migrations, the
        // single writer). GRDB types stay inside this module.
        .target(
            name: "LeadStoreSQLite",
            dependencies: [
                "LeadPolicy",
                "LeadStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL, for several instances on one database: the repositories on postgres-nio
        // (schema, migrations under an advisory lock, the audit chain's head row). Its types stay here.
        .target(
            name: "LeadStorePostgres",
            dependencies: [
                "LeadPolicy",
                "LeadStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP service: buildApplication, controllers, auth, metrics.
        .target(
            name: "LeadDispatcher",
            dependencies: [
                "LeadPolicy",
                "LeadStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/Console")],
            swiftSettings: swiftSettings
        ),
        // The database behind the service, chosen by the executable (and the tests): SQLite today.
        // The HTTP module is built on the repository protocols and links no driver.
        .target(
            name: "DispatcherStores",
            dependencies: [
                "LeadDispatcher",
                "LeadStore",
                "LeadStoreSQLite",
                "LeadStorePostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The benchmark tool run by Benchmarks/run (never by the tests): engine timings, seeding,
        // a stand-in CRM and the drain watcher. Docs/PERFORMANCE.md holds its results.
        .executableTarget(
            name: "dispatcher-bench",
            dependencies: [
                "LeadDispatcher",
                "DispatcherStores",
                "LeadStore",
                "LeadStoreSQLite",
                "LeadPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Sources/dispatcher-bench",
            swiftSettings: swiftSettings
        ),
        // The thin command-line front: parses arguments, builds configuration, calls the library.
        .executableTarget(
            name: "lead-dispatcher",
            dependencies: [
                "LeadDispatcher",
                "DispatcherStores",
                "LeadStore",
                "LeadStoreSQLite",
                "LeadStorePostgres",
                "LeadPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LeadPolicyTests",
            dependencies: ["LeadPolicy"],
            swiftSettings: swiftSettings
        ),
        // A throwaway PostgreSQL cluster on a loopback port, started by the tests that need one.
        .target(
            name: "PostgresTestCluster",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PostgresTestCluster",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LeadStoreTests",
            // GRDB only to tamper with a closed database the way an intruder would.
            dependencies: [
                "LeadStore", "LeadStoreSQLite", "LeadStorePostgres", "PostgresTestCluster", "LeadPolicy",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LeadDispatcherTests",
            dependencies: [
                "LeadDispatcher",
                "DispatcherStores",
                "LeadStore",
                "LeadStoreSQLite",
                "PostgresTestCluster",
                "LeadPolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
