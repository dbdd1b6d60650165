import Foundation

/// The result of recomputing the audit chain.
public struct ChainVerification: Sendable, Equatable {
    public var ok: Bool
    /// Events checked before the first broken one (all of them when `ok`).
    public var checked: Int
    /// The id of the first event whose link does not hold: edited, inserted, or following a removed one.
    public var firstBrokenID: String?
    /// Why that link is broken.
    public var problem: String?
    /// The last event that checked out, and its hash: what an auditor writes down somewhere the
    /// database's writers cannot reach, so that a later chain rewritten from an earlier point shows.
    public var newestID: String?
    public var newestHash: String?

    public init(ok: Bool, checked: Int, firstBrokenID: String?, problem: String?, newestID: String? = nil, newestHash: String? = nil) {
        self.ok = ok
        self.checked = checked
        self.firstBrokenID = firstBrokenID
        self.problem = problem
        self.newestID = newestID
        self.newestHash = newestHash
    }
}
