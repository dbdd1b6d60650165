import Foundation

/// What the service asks of its database besides the repositories: whether it is ready, what it has
/// applied, and whether it takes writes again after the disk was full.
public protocol StoreHealth: Sendable {
    /// The settings that make a commit durable, named as the database names them, for the start-up
    /// log line (`synchronous: 2`, `journal_mode: wal`): a typo in them shows at the first look.
    func durabilitySettings() async throws -> [(name: String, value: String)]

    /// True when the database answers, every migration has run and the master key opens the stored keys.
    func isReady() async -> Bool

    /// The names of the migrations applied, in the order they apply.
    func appliedMigrations() async throws -> [String]

    /// Commits one tiny write, to learn whether the storage takes writes again after it was full.
    func probeWrite() async throws

    /// True when `error`, from a write, says the storage is full (rather than any other failure).
    func isStorageFull(_ error: any Error) -> Bool

    /// True when `error` says the database is away for now (a server restarting or failing over):
    /// answered 503 with `Retry-After`, as a full disk is. An embedded database is never away.
    func isUnavailable(_ error: any Error) -> Bool
}

extension StoreHealth {
    public func isUnavailable(_ error: any Error) -> Bool { false }
}

/// Every repository and the health of one database: what the HTTP service and the console are built
/// on (`buildApplication`), so that they do not know which database is behind them.
public protocol DispatcherStore: PolicyRepository, LeadRepository, OutboxRepository, VendorRepository, TokenRepository, UserRepository,
    AuditEventRepository, SessionRepository, StoreHealth {
    /// The channel to the other instances on this database; nil when nothing else writes it (SQLite).
    var instanceSignals: (any InstanceSignals)? { get }
}

extension DispatcherStore {
    public var instanceSignals: (any InstanceSignals)? { nil }
}

/// A store that can commit a batch of leads without an `await`, for a committer with a thread of its
/// own (see `GroupCommit`): going through SQLite's one writer without suspending spares each batch two
/// hops through the concurrency pool, which under load is where a batch waited longest. Optional: the
/// service commits through `LeadRepository.accept` when the store has no such path.
public protocol BlockingLeadCommitter: Sendable {
    /// `accept`, blocking the calling thread until the commit is durable.
    func acceptBlocking(_ submissions: [LeadSubmission], dayTimeZone: TimeZone) throws -> [AcceptedLead]
}
