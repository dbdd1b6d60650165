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

    /// Another instance's word counts as this one's own ingest would, for as long as it is said again
    /// (`peerWordLasts`); this instance tells the others only its own pressure.
    @Test func anotherInstancesPressureCountsWhileItLasts() {
        let pressure = IngestPressure()
        let start = ContinuousClock.now
        pressure.notePeer(busyShare: 0.7, high: true, at: start)
        #expect(pressure.isSaturated(at: start + .milliseconds(50)))
        #expect(pressure.isHigh(within: .milliseconds(50), at: start + .milliseconds(150)), "high until the word lapses")
        #expect(pressure.ownBusyShare(at: start + .milliseconds(50)) == 0 && !pressure.isOwnHigh(within: .seconds(1), at: start))
        #expect(InstanceSignalService.pressureSignal(pressure, instanceID: "b", at: start + .milliseconds(50)) == nil,
                "another's pressure is not said again as this one's")
        let lapsed = start + IngestPressure.peerWordLasts + .milliseconds(1)
        #expect(!pressure.isSaturated(at: lapsed) && !pressure.isHigh(within: .milliseconds(50), at: lapsed))
        // Its own: said with its share, and whether batches of several came just now.
        pressure.noteBatch(size: 12, took: .milliseconds(600), at: lapsed)
        let said = InstanceSignalService.pressureSignal(pressure, instanceID: "b", at: lapsed + .milliseconds(10))
        guard case .ingestPressure(let share, let high, let from)? = said else {
            Issue.record("no pressure said: \(String(describing: said))")
            return
        }
        #expect(abs(share - 0.6) < 0.01 && high && from == "b")
    }
}
