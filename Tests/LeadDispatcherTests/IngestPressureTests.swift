import Testing

@testable import LeadDispatcher

/// The delivery worker steps back only while leads queue up for the writer, and only briefly.
@Suite struct IngestPressureTests {
    @Test func onlyBatchesOfSeveralLeadsRaiseThePressureAndItFades() async throws {
        let pressure = IngestPressure()
        #expect(!pressure.isHigh(within: .seconds(10)))
        pressure.noteBatch(size: 1)
        #expect(!pressure.isHigh(within: .seconds(10)), "a lone lead is no spike")
        pressure.noteBatch(size: 12)
        #expect(pressure.isHigh(within: .seconds(10)))
        try await Task.sleep(for: .milliseconds(30))
        #expect(!pressure.isHigh(within: .milliseconds(10)))
    }
}
