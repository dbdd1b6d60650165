import Foundation
import Testing
@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

@Suite struct CircuitBreakerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func opensAfterTheThresholdAndProbesAfterTheCoolDown() async {
        let breaker = CircuitBreaker(threshold: 2, initialCoolDown: 10, maxCoolDown: 25)
        #expect(await breaker.admit(["host:a"], now: start) == nil)
        await breaker.failed("host:a", now: start)
        #expect(await breaker.admit(["host:a"], now: start) == nil)
        await breaker.failed("host:a", now: start)
        #expect(await breaker.admit(["host:a"], now: start.addingTimeInterval(5)) == start.addingTimeInterval(10))
        // Other circuits are not affected.
        #expect(await breaker.admit(["host:b", "key:agent:x"], now: start) == nil)
        // After the cool-down one probe passes; a second waits for its outcome.
        #expect(await breaker.admit(["host:a"], now: start.addingTimeInterval(10)) == nil)
        #expect(await breaker.admit(["host:a"], now: start.addingTimeInterval(10)) != nil)
        // The probe fails: open again, for twice as long.
        await breaker.failed("host:a", now: start.addingTimeInterval(11))
        #expect(await breaker.admit(["host:a"], now: start.addingTimeInterval(12)) == start.addingTimeInterval(31))
        #expect(await breaker.report().map(\.state) == [.open])
        // A successful probe closes it.
        #expect(await breaker.admit(["host:a"], now: start.addingTimeInterval(31)) == nil)
        await breaker.succeeded(["host:a"])
        #expect(await breaker.admit(["host:a"], now: start.addingTimeInterval(31)) == nil)
        #expect(await breaker.report().isEmpty)
    }

    @Test func theCoolDownIsCapped() async {
        let breaker = CircuitBreaker(threshold: 1, initialCoolDown: 10, maxCoolDown: 15)
        await breaker.failed("k", now: start)
        _ = await breaker.admit(["k"], now: start.addingTimeInterval(10))
        await breaker.failed("k", now: start.addingTimeInterval(10))
        #expect(await breaker.admit(["k"], now: start.addingTimeInterval(11)) == start.addingTimeInterval(25))
    }
}
