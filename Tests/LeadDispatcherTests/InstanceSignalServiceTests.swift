import Foundation
import Hummingbird
import HummingbirdTesting
import LeadPolicy
import LeadStore
import Logging
import NIOCore
import PostgresTestCluster
import ServiceLifecycle
import Testing

@testable import LeadDispatcher
import DispatcherStores

/// Two instances on one PostgreSQL database, each with its signal service, as `serve` runs them.
@Suite struct InstanceSignalServiceTests {
    /// A lead posted to one instance rings the other's delivery worker, and one instance's vendors
    /// pressing on the database make the other's worker step back (`IngestPressure`).
    @Test func eachInstanceHearsTheOthersLeadsAndPressure() async throws {
        let cluster = try await PostgresTestCluster.shared()
        var settings = DispatcherSettings()
        settings.database = cluster.url(database: try await cluster.makeDatabase(prefix: "signals").name)
        settings.secretKey = MasterKey.generate().base64
        guard case .postgres(let url) = settings.databaseLocation else {
            Issue.record("not a PostgreSQL URL: \(settings.database)")
            return
        }
        let logger = Logger(label: "test")
        let first = try await openPostgresStore(url, settings: settings, logger: logger)
        let second = try await openPostgresStore(url, settings: settings, logger: logger)
        try await first.modifyPolicy(actor: .cli("test")) { draft in
            draft.policy = Policy(accounts: [Account(id: "acme", name: "Acme")], agents: [], pools: [],
                                  rules: [Rule(id: "all", name: "All", priority: 1, action: .crmRoundRobin(accountID: "acme"))])
            draft.setSecret("bb-admin-key-0000001", for: SecretOwner(kind: Account.kind, id: "acme"))
        }
        let (firstPressure, secondPressure) = (IngestPressure(), IngestPressure())
        let (firstWakeUp, secondWakeUp) = (DeliveryWakeUp(), DeliveryWakeUp())
        let services = [
            InstanceSignalService(signals: try #require(first.instanceSignals), wakeUp: firstWakeUp, pressure: firstPressure, logger: logger),
            InstanceSignalService(signals: try #require(second.instanceSignals), wakeUp: secondWakeUp, pressure: secondPressure, logger: logger),
        ]
        let running = Task {
            try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
        }

        // Listening, each rings once for whatever it may have missed; then only for leads queued.
        #expect(await secondWakeUp.wait(upTo: 30), "the second instance listens")
        // A vendor posts a lead to the first instance.
        let (_, vendorKey) = try await first.createVendor(Vendor(id: "zillow", name: "Zillow"), actor: .cli("test"))
        let storage = StorageHealth(databasePath: nil, logger: logger, isFull: { _ in false }, isUnavailable: { first.isUnavailable($0) })
        // Without the first's pressure: on a loaded test machine this one commit may take half a second,
        // which would say "saturated" before the test does.
        let router = buildRouter(store: first, settings: settings, delivery: firstWakeUp, circuits: nil, pressure: nil,
                                 storage: storage, consolePages: try await ConsolePages.load())
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/clientapi/lead-import", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"api_key":"\#(vendorKey)","fname":"Pat"}"#))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
        }
        #expect(await secondWakeUp.wait(upTo: 30), "a lead queued on the first rings the second's worker")

        // The first instance's ingest kept its writer busy for most of the last second.
        #expect(!secondPressure.isSaturated())
        firstPressure.noteBatch(size: 50, took: .milliseconds(900))
        try await waitUntil("the second instance steps back for the first's vendors") { secondPressure.isSaturated() }
        #expect(secondPressure.ownBusyShare() == 0, "it is the first's pressure, not its own")
        #expect(!firstPressure.isSaturated() || firstPressure.ownBusyShare() >= 0.5, "the first hears nothing of its own word")

        running.cancel()
        _ = try? await running.value
        await second.close()
        await first.close()
    }
}
