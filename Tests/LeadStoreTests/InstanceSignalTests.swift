import LeadStore
import Testing

/// The text a signal travels as between instances, and text that is not one (an instance of a newer
/// version may say more).
@Suite struct InstanceSignalTests {
    @Test func signalsTravelAsTheirText() {
        let signals: [InstanceSignal] = [.leadsQueued, .ingestPressure(busyShare: 0.625, high: true, from: "instance-1a2b"),
                                         .ingestPressure(busyShare: 0, high: false, from: "x")]
        for signal in signals {
            #expect(InstanceSignal(payload: signal.payload) == signal, "\(signal.payload)")
        }
        #expect(InstanceSignal.ingestPressure(busyShare: 3, high: false, from: "x").payload == "pressure 1.000 0 x", "a share is at most 1")
    }

    @Test(arguments: ["", "queued now", "pressure", "pressure 0.5 1", "pressure nan 1 x", "pressure 2 1 x", "pressure 0.5 yes x",
                      "pressure -0.1 0 x", "hello"])
    func otherTextIsNoSignal(_ payload: String) {
        #expect(InstanceSignal(payload: payload) == nil)
    }
}
