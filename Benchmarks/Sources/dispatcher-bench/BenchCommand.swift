import ArgumentParser

/// The benchmark tool: the measurements that need Swift (the policy engine, seeding databases, a
/// stand-in CRM, watching a drain). `Benchmarks/run` starts the service and wrk around it; see
/// Docs/PERFORMANCE.md.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatcher-bench",
        abstract: "Benchmarks for lead-dispatcher (run them through Benchmarks/run).",
        subcommands: [EngineBenchmark.self, SeedCommand.self, StandInCRMCommand.self, WatchDrainCommand.self, ClientCeilingCommand.self,
                      PostLeadsCommand.self])
}
