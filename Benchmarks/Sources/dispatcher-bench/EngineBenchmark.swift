import ArgumentParser
import Foundation
import LeadPolicy

/// Nanoseconds per routing decision, for each size of policy. Each decision advances the state's
/// rotation for the next, as a backtest does (`decide(_:policy:advancing:)`), so the pool really rotates.
struct EngineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine", abstract: "Time the policy engine.")

    @Option(parsing: .upToNextOption, help: "Rule counts.") var rules: [Int] = [10, 100, 1000]
    @Option(parsing: .upToNextOption, help: "Pool sizes (agents).") var agents: [Int] = [10, 1000]
    @Option(parsing: .upToNextOption, help: "What the rules that do not match look at: campaign or tag (the index passes over them), vendor (every one is tried).")
    var shapes: [String] = BenchmarkPolicy.RuleShape.allCases.map(\.rawValue)
    @Option(help: "Seconds to measure each case.") var seconds: Double = 1
    @Flag(help: "Decide with decide(_:policy:state:) and store the rotation back, as the store does (it keeps the state before each decision), instead of advancing the state in place.")
    var storeBack = false

    func run() throws {
        for name in shapes {
            guard let shape = BenchmarkPolicy.RuleShape(rawValue: name) else {
                throw ValidationError("unknown rule shape '\(name)' (campaign, tag, vendor, zip)")
            }
            for ruleCount in rules {
                for agentCount in agents {
                    let result = measure(rules: ruleCount, agents: agentCount, shape: shape)
                    print(#"{"benchmark":"engine","api":"\#(storeBack ? "state, stored back" : "advancing")","rules":\#(ruleCount),"rule_shape":"\#(shape.rawValue)","agents":\#(agentCount),"decisions":\#(result.decisions),"ns_per_decision":\#(String(format: "%.0f", result.nanoseconds)),"ns_per_decision_fastest_batch":\#(String(format: "%.0f", result.fastest))}"#)
                }
            }
        }
    }

    /// The mean over every decision, and over the fastest batch of 256: on a shared VM the mean carries
    /// whatever else the host ran meanwhile (±30 % from one run to the next), the fastest batch is the
    /// decision's own cost.
    func measure(rules ruleCount: Int, agents agentCount: Int, shape: BenchmarkPolicy.RuleShape) -> (decisions: Int, nanoseconds: Double, fastest: Double) {
        let policy = BenchmarkPolicy.make(rules: ruleCount, agents: agentCount, shape: shape)
        var state = RoutingState(rotations: [:], leadsToday: [:], previousAssignments: [], now: Date())
        let leads = (0..<1024).map(BenchmarkPolicy.lead)
        // Warm up, and check the case decides what it should.
        for lead in leads.prefix(100) {
            let outcome = RoutingEngine.decide(lead, policy: policy, advancing: &state)
            precondition(outcome.decision.target?.agentID != nil, "the benchmark policy must route its leads to the pool")
        }
        let clock = ContinuousClock()
        var decisions = 0
        var elapsed = Duration.zero
        var fastest = Duration.seconds(1)
        while elapsed < .seconds(seconds) {
            let started = clock.now
            for index in 0..<256 {
                let lead = leads[(decisions + index) & 1023]
                if storeBack {
                    let outcome = RoutingEngine.decide(lead, policy: policy, state: state)
                    // As the store's routing tables apply it.
                    if let advanced = outcome.advanced { state.rotations[advanced.poolID] = advanced.rotation }
                } else {
                    let outcome = RoutingEngine.decide(lead, policy: policy, advancing: &state)
                    precondition(outcome.decision.target != nil)
                }
            }
            let batch = clock.now - started
            elapsed += batch
            fastest = min(fastest, batch)
            decisions += 256
        }
        func nanoseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
        }
        return (decisions, nanoseconds(elapsed) / Double(decisions), nanoseconds(fastest) / 256)
    }
}
