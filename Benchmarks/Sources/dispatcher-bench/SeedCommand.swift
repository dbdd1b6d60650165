import ArgumentParser
import Foundation
import LeadDispatcher
import LeadPolicy
import LeadStore
import DispatcherStores
import LeadStoreSQLite
import Logging

/// Builds a benchmark database through the store's own API: the benchmark policy, a vendor, an
/// auditor token, and `--leads` leads spread over the last `--days` days (queued for delivery, or
/// already delivered with `--delivered`). Prints the vendor key and the token as JSON.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Create a benchmark database.")

    @Option(help: "The SQLite file to create (with its key file beside it), or a postgres:// URL of an empty database (the master key from DISPATCHER_SECRET_KEY).") var database: String
    @Option(help: "Leads to insert.") var leads = 0
    @Option(help: "Days the leads are spread over, ending now.") var days = 100
    @Option(help: "Agents in the pool.") var agents = 100
    @Option(help: "Rules in the policy.") var rules = 10
    @Flag(help: "Record every lead as delivered (an empty outbox), as in an audit database.") var delivered = false
    @Option(help: "Leads per transaction (ingest under load commits about 15).") var batch = 1000

    func run() async throws {
        var settings = DispatcherSettings()
        settings.database = database
        settings.secretKey = ProcessInfo.processInfo.environment["DISPATCHER_SECRET_KEY"]
        let store: any DispatcherStore
        var sqlite: SQLiteStore?
        switch settings.databaseLocation {
        case .sqlite:
            sqlite = try openStore(settings)
            store = sqlite!
        case .postgres(let url):
            var logger = Logger(label: "dispatcher-bench")
            logger.logLevel = .error
            store = try await openPostgresStore(url, settings: settings, logger: logger)
        }
        defer { try? sqlite?.close() }
        let actor = AuditActor.cli("dispatcher-bench seed")
        let (agentCount, ruleCount) = (agents, rules)
        try await store.modifyPolicy(actor: actor) { draft in
            draft.policy = BenchmarkPolicy.make(rules: ruleCount, agents: agentCount)
            draft.setSecret("bench-admin-key-\(BenchmarkPolicy.accountID)", for: SecretOwner(kind: Account.kind, id: BenchmarkPolicy.accountID))
            for agent in draft.policy.agents {
                draft.setSecret("bench-agent-key-\(agent.id)", for: SecretOwner(kind: Agent.kind, id: agent.id))
            }
        }
        let (_, vendorKey) = try await store.createVendor(Vendor(id: "bench", name: "Benchmark vendor"), actor: actor)
        let (_, token) = try await store.createToken(name: "bench", role: .admin, actor: actor)

        let end = Date()
        let span = Double(days) * 86_400
        let batchSize = max(1, batch)
        var inserted = 0
        let started = Date()
        while inserted < leads {
            let count = min(batchSize, leads - inserted)
            let submissions = (inserted..<(inserted + count)).map { index in
                // Oldest first, evenly spread, so that ids and received_at both grow.
                let at = end.addingTimeInterval(-span + span * Double(index) / Double(max(1, leads)))
                return Self.submission(index, at: at)
            }
            let accepted = try await store.accept(submissions, dayTimeZone: settings.timeZone)
            if delivered {
                let attempts = accepted.filter { $0.status == .queued }.map { lead in
                    RecordedAttempt(leadID: lead.leadID,
                                    attempt: DeliveryAttempt(at: Timestamp.string(end), httpStatus: 200, crmSuccess: true, error: nil,
                                                             durationMS: 3, responseBody: #"{"success":true}"#),
                                    outcome: .delivered)
                }
                try await store.record(attempts)
            }
            inserted += count
            if inserted % 100_000 == 0 {
                FileHandle.standardError.write(Data("seed: \(inserted) leads in \(Int(Date().timeIntervalSince(started))) s\n".utf8))
            }
        }
        // The write path alone (no HTTP): how many leads a second the one writer decides and commits
        // in batches of `--batch`.
        let seconds = Date().timeIntervalSince(started)
        let perSecond = seconds > 0 ? Int((Double(inserted) / seconds).rounded()) : 0
        print(#"{"vendor_key":"\#(vendorKey)","token":"\#(token)","leads":\#(inserted),"batch":\#(batchSize),"seconds":\#((seconds * 100).rounded() / 100),"leads_per_second":\#(perSecond)}"#)
    }

    /// A lead as a vendor would post it.
    static func submission(_ index: Int, at date: Date) -> LeadSubmission {
        let email = "lead\(index)@example.com"
        let fields: [String: JSONValue] = [
            "email": .string(email), "fname": .string("Pat"), "lname": .string("Lee \(index)"),
            "phone": .string("555-01\(String(index % 100 + 100).dropFirst())"),
            "request_subject": .string("Showing request"), "request_details": .string("Wants to see 12 Elm St on Saturday"),
            "campaign_id": .string("spring-open-house"), "tags": .string("buyer"),
        ]
        return LeadSubmission(vendorID: "bench", fields: fields,
                              lead: Lead(vendorID: "bench", email: email, campaignID: "spring-open-house", tags: ["buyer"]),
                              receivedAt: date)
    }
}
