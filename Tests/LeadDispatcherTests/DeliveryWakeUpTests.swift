import Foundation
import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

/// The delivery loop's wake-up signal leaves nothing running behind it: a burst of rings starts no
/// task, and a wait's timeout ends with the wait.
@Suite struct DeliveryWakeUpTests {
    @Test func aBurstOfRingsAndManyWaitsLeaveNoTaskBehind() async throws {
        weak var released: DeliveryWakeUp?
        do {
            let wakeUp = DeliveryWakeUp()
            released = wakeUp
            for _ in 0..<100_000 { wakeUp.wake() }
            // The burst folded into one ring: the first wait returns at once, even with an hour to wait.
            await wakeUp.wait(upTo: 3600)
            // Each wait ends at a ring, with an hour-long timeout that must not outlive it.
            for _ in 0..<1_000 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await wakeUp.wait(upTo: 3600) }
                    group.addTask {
                        // Rings until the waiter has gone; a ring before it waits is kept for it.
                        while !Task.isCancelled {
                            wakeUp.wake()
                            await Task.yield()
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            // A wait that times out returns after its time.
            let started = ContinuousClock.now
            await wakeUp.wait(upTo: 0)  // consumes any ring left from the last round
            await wakeUp.wait(upTo: 0.05)
            #expect(ContinuousClock.now - started >= .milliseconds(50))
        }
        // Had any task (a ring's, a timeout's) been left running, it would still hold the signal.
        #expect(released == nil)
    }
}
