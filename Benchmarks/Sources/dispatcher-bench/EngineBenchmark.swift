import ArgumentParser
import Foundation
import LeadPolicy

/// Nanoseconds per routing decision, for each size of policy. The rotation each decision returns is
/// fed into the next, as the store does, so the pool really rotates.
struct EngineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine", abstract: "Time the policy engine.")

    @Option(parsing: .upToNextOption, help: "Rule counts.") var rules: [Int] = [10, 100, 1000]
    @Option(parsing: .upToNextOption, help: "Pool sizes (agents).") var agents: [Int] = [10, 1000]
    @Option(parsing: .upToNextOption, help: "What the rules that do not match look at: campaign or tag (the index passes over them), vendor (every one is tried).")
    var shapes: [String] = BenchmarkPolicy.RuleShape.allCases.map(\.rawValue)
    @Option(help: "Seconds to measure each case.") var seconds: Double = 1

    func run() throws {
        for name in shapes {
            guard let shape = BenchmarkPolicy.RuleShape(rawValue: name) else {
                throw ValidationError("unknown rule shape '\(name)' (campaign, tag, vendor)")
            }
            for ruleCount in rules {
                for agentCount in agents {
                    let result = measure(rules: ruleCount, agents: agentCount, shape: shape)
                    print(#"{"benchmark":"engine","rules":\#(ruleCount),"rule_shape":"\#(shape.rawValue)","agents":\#(agentCount),"decisions":\#(result.decisions),"ns_per_decision":\#(String(format: "%.0f", result.nanoseconds))}"#)
                }
            }
        }
    }

    func measure(rules ruleCount: Int, agents agentCount: Int, shape: BenchmarkPolicy.RuleShape) -> (decisions: Int, nanoseconds: Double) {
        let policy = BenchmarkPolicy.make(rules: ruleCount, agents: agentCount, shape: shape)
        var state = RoutingState(rotations: [:], leadsToday: [:], previousAssignments: [], now: Date())
        let leads = (0..<1024).map(BenchmarkPolicy.lead)
        // Warm up, and check the case decides what it should.
        for lead in leads.prefix(100) {
            let outcome = RoutingEngine.decide(lead, policy: policy, state: state)
            precondition(outcome.decision.target?.agentID != nil, "the benchmark policy must route its leads to the pool")
            state.rotations.merge(outcome.rotations) { $1 }
        }
        let clock = ContinuousClock()
        var decisions = 0
        var elapsed = Duration.zero
        while elapsed < .seconds(seconds) {
            let started = clock.now
            for index in 0..<256 {
                let outcome = RoutingEngine.decide(leads[(decisions + index) & 1023], policy: policy, state: state)
                state.rotations.merge(outcome.rotations) { $1 }
            }
            elapsed += clock.now - started
            decisions += 256
        }
        let (seconds, attoseconds) = elapsed.components
        return (decisions, (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(decisions))
    }
}
