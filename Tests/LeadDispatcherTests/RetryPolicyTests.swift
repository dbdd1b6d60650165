import Foundation
import LeadStore
import NIOCore
import NIOHTTP1
import Testing
@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

@Suite struct RetryPolicyTests {
    var policy: RetryPolicy {
        var settings = DispatcherSettings()
        settings.retryInitialDelay = 1
        settings.retryMaxDelay = 30
        settings.maxAttempts = 5
        settings.maxRejections = 3
        return RetryPolicy(settings: settings)
    }

    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func result(_ verdict: CRMResult.Verdict, retryAfter: Double? = nil) -> CRMResult {
        CRMResult(verdict: verdict, retryAfter: retryAfter, durationMS: 1)
    }

    @Test func backoffIsExponentialWithFullJitterUpToTheMaximum() {
        let top: (ClosedRange<Double>) -> Double = { $0.upperBound }
        #expect(policy.backoff(attempts: 1, random: top) == 1)
        #expect(policy.backoff(attempts: 2, random: top) == 2)
        #expect(policy.backoff(attempts: 4, random: top) == 8)
        #expect(policy.backoff(attempts: 10, random: top) == 30)
        #expect(policy.backoff(attempts: 3, random: { $0.lowerBound }) == 0)
        for _ in 0..<100 {
            #expect((0...4).contains(policy.backoff(attempts: 3, random: { Double.random(in: $0) })))
        }
    }

    @Test func transientFailuresRetryUntilTheLastAttempt() {
        let top: (ClosedRange<Double>) -> Double = { $0.upperBound }
        #expect(policy.outcome(of: result(.transientFailure), attemptsBefore: 0, rejectionsBefore: 0, now: now, random: top)
                == .retry(at: now.addingTimeInterval(1), rejected: false))
        #expect(policy.outcome(of: result(.transientFailure), attemptsBefore: 3, rejectionsBefore: 0, now: now, random: top)
                == .retry(at: now.addingTimeInterval(8), rejected: false))
        #expect(policy.outcome(of: result(.transientFailure), attemptsBefore: 4, rejectionsBefore: 0, now: now) == .dead)
    }

    @Test func retryAfterIsHonouredAndCapped() {
        #expect(policy.outcome(of: result(.transientFailure, retryAfter: 12), attemptsBefore: 0, rejectionsBefore: 0, now: now)
                == .retry(at: now.addingTimeInterval(12), rejected: false))
        #expect(policy.outcome(of: result(.transientFailure, retryAfter: 3600), attemptsBefore: 0, rejectionsBefore: 0, now: now)
                == .retry(at: now.addingTimeInterval(30), rejected: false))
    }

    @Test func rejectionsAreRetriedABoundedNumberOfTimes() {
        let top: (ClosedRange<Double>) -> Double = { $0.upperBound }
        #expect(policy.outcome(of: result(.rejected), attemptsBefore: 0, rejectionsBefore: 2, now: now, random: top)
                == .retry(at: now.addingTimeInterval(1), rejected: true))
        #expect(policy.outcome(of: result(.rejected), attemptsBefore: 3, rejectionsBefore: 3, now: now) == .dead)
    }

    @Test func successAndPermanentFailuresEndAtOnce() {
        #expect(policy.outcome(of: result(.delivered), attemptsBefore: 4, rejectionsBefore: 3, now: now) == .delivered)
        #expect(policy.outcome(of: result(.permanentFailure), attemptsBefore: 0, rejectionsBefore: 0, now: now) == .dead)
    }

    @Test func answersAreClassified() {
        func classify(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> CRMResult {
            CRMClient.classify(status: status, headers: headers, body: ByteBuffer(string: body), text: body, durationMS: 1)
        }
        #expect(classify(200, #"{"success": true}"#).verdict == .delivered)
        #expect(classify(201, #"{"success": "true"}"#).verdict == .delivered)
        #expect(classify(200, #"{"success": false}"#).errorClass == "crm_rejected")
        #expect(classify(200, "OK").errorClass == "malformed_response")
        #expect(classify(429, "", headers: ["Retry-After": "7"]).retryAfter == 7)
        #expect(classify(503, "").verdict == .transientFailure)
        #expect(classify(404, "").verdict == .permanentFailure)
        #expect(classify(404, "").errorClass == "http_404")
        #expect(CRMClient.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
        #expect(CRMClient.retryAfterSeconds("soon") == nil)
    }
}
