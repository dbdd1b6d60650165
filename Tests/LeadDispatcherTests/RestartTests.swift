import Foundation
import HTTPTypes
import HummingbirdTesting
import LeadDispatcher
import LeadPolicy
import LeadStore
import Testing
import DispatcherStores
import LeadStoreSQLite

/// What survives a restart: the rotation, and leads that were being delivered when the process died.
@Suite(.serialized) struct RestartTests {
    @Test func theRotationContinuesAcrossARestartOfTheService() async throws {
        let service = try TestService()
        let key = try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            _ = try await client.send(.patch, "/v1/agents/bob", token: service.adminToken, json: #"{"weight":1}"#)
            return try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
        }
        var targets: [String] = []
        for _ in 0..<3 {
            let target = try await service.test { client in
                let posted = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"Pat","tags":"buyer"}"#)
                let lead = try await client.send(.get, "/v1/leads/\(posted["lead_id"]?.stringValue ?? "")", token: service.adminToken)
                return lead["target"]?.objectValue?["agent_id"]?.stringValue ?? "-"
            }
            targets.append(target)
        }
        #expect(targets == ["jane", "bob", "jane"])
    }

    @Test func aLeadInFlightWhenTheProcessDiedIsDeliveredAfterRestart() async throws {
        let server = try await StandInServer.start()
        let service = try TestService()
        service.settings.crmURL = server.url
        let key = try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            return try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
        }
        // A process that accepted a lead and claimed it for delivery, then died before recording.
        let leadID: String
        do {
            let store = try openStore(service.settings)
            let vendor = try #require(try await store.authenticateVendor(apiKey: key))
            let submission = LeadSubmission(vendorID: vendor.id, fields: ["fname": .string("Pat")], lead: Lead(vendorID: vendor.id, tags: ["buyer"]))
            leadID = try #require(try await store.accept([submission], dayTimeZone: service.settings.timeZone).first?.leadID)
            #expect(try await store.claimDueJobs(limit: 1, now: Date().addingTimeInterval(1), lease: 3600).count == 1)
            try store.close()
        }
        try await service.test { client in
            try await waitUntil("the lead claimed before the restart is delivered after it") {
                try await client.send(.get, "/v1/leads/\(leadID)", token: service.adminToken)["status"] == .string("delivered")
            }
        }
        #expect(await server.crm.received.count == 1)
        await server.stop()
    }

    @Test func shutdownLetsADeliveryInFlightFinish() async throws {
        let server = try await StandInServer.start()
        await server.crm.answer(.slow(seconds: 0.8))
        let service = try TestService()
        service.settings.crmURL = server.url
        service.settings.shutdownGracePeriod = 5
        let leadID = try await service.test { client in
            try await SamplePolicy.create(client, token: service.adminToken)
            let key = try #require(try await client.send(.post, "/v1/vendors/zillow/rotate-key", token: service.adminToken)["api_key"]?.stringValue)
            let posted = try await client.send(.post, "/clientapi/lead-import", json: #"{"api_key":"\#(key)","fname":"Pat","tags":"buyer"}"#)
            try await waitUntil("the delivery is in flight") { await server.crm.received.count == 1 }
            return posted["lead_id"]?.stringValue ?? ""
            // Leaving the closure shuts the application down while the CRM is still answering.
        }
        let store = try openStore(service.settings)
        let lead = try #require(try await store.lead(id: leadID))
        #expect(lead.status == .delivered)
        #expect(lead.deliveryAttempts.count == 1)
        await server.stop()
    }
}
