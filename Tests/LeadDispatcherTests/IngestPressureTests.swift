import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

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

    @Test func theWriterIsSaturatedWhileIngestCommitsTakeHalfOfTheLastSecond() {
        let pressure = IngestPressure()
        let start = ContinuousClock.now
        #expect(pressure.busyShare(at: start) == 0)
        // 40 ms of commit every 100 ms: 40 % busy, not saturated.
        for tenth in 0..<10 {
            pressure.noteBatch(size: 12, took: .milliseconds(40), at: start + .milliseconds(100 * tenth + 50))
        }
        let afterOneSecond = start + .milliseconds(990)
        #expect(abs(pressure.busyShare(at: afterOneSecond) - 0.4) < 0.05)
        #expect(!pressure.isSaturated(at: afterOneSecond))
        // Then 80 ms every 100 ms for half a second: the last second is (5 × 40 + 5 × 80) ms busy.
        for tenth in 10..<15 {
            pressure.noteBatch(size: 12, took: .milliseconds(80), at: start + .milliseconds(100 * tenth + 50))
        }
        let later = start + .milliseconds(1_490)
        #expect(abs(pressure.busyShare(at: later) - 0.6) < 0.05)
        #expect(pressure.isSaturated(at: later))
        // Quiet for a second: the share fades to nothing.
        #expect(pressure.busyShare(at: start + .milliseconds(2_600)) == 0)
        #expect(!pressure.isSaturated(at: start + .milliseconds(2_600)))
    }

    /// While ingest saturates the writer, delivery claims only what fills its slots, never nothing.
    @Test func deliveryClaimsOnlyItsFloorWhileTheWriterIsSaturated() {
        #expect(DeliveryWorker.claimSize(ready: 0, concurrency: 8, claimBatch: 64, saturated: false) == 64)
        #expect(DeliveryWorker.claimSize(ready: 3, concurrency: 8, claimBatch: 64, saturated: false) == 61)
        #expect(DeliveryWorker.claimSize(ready: 0, concurrency: 8, claimBatch: 64, saturated: true) == 8)
        #expect(DeliveryWorker.claimSize(ready: 7, concurrency: 8, claimBatch: 64, saturated: true) == 1)
    }
}
