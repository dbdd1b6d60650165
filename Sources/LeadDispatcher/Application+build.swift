import Foundation
import Hummingbird
import LeadPolicy
import LeadStore
import Logging

/// Opens the store for writing (taking the single-writer lock), and builds the HTTP application.
public func buildApplication(_ settings: DispatcherSettings, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    try await buildApplication(settings, store: try openStore(settings), logger: logger)
}

/// Builds the HTTP application on a store the caller opened (tests seed it first), through its
/// repository protocols only: the application does not know which database is behind them.
public func buildApplication(_ settings: DispatcherSettings, store: some DispatcherStore, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "lead-dispatcher")
    logger.logLevel = settings.logLevel
    // Where leads come in, where they are kept and where they go, so a typo shows at the first look.
    var metadata: Logger.Metadata = [
        "address": .string("\(settings.host):\(settings.port)"),
        "database": .string(settings.database),
        "crm_url": .string(CRMURL.redacted(settings.crmURL)),
    ]
    for setting in try await store.durabilitySettings() { metadata[setting.name] = .string(setting.value) }
    logger.notice("starting", metadata: metadata)
    let wakeUp = DeliveryWakeUp()
    let breaker = CircuitBreaker(threshold: settings.circuitThreshold, initialCoolDown: settings.circuitCoolDown,
                                 maxCoolDown: settings.circuitCoolDown * 10)
    let pressure = IngestPressure()
    let storage = StorageHealth(databasePath: settings.database, logger: logger)
    let consolePages = try await ConsolePages.load()
    let router = buildRouter(store: store, settings: settings, delivery: wakeUp, circuits: breaker, pressure: pressure, storage: storage,
                             consolePages: consolePages)
    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(settings.idleTimeout * 1000)))),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "lead-dispatcher"),
        onServerRunning: { [logger] channel in
            logger.notice("listening", metadata: ["address": .string("\(settings.host):\(channel.localAddress?.port ?? settings.port)")])
        },
        logger: logger)
    app.addServices(DeliveryWorker(outbox: store, settings: settings, wakeUp: wakeUp, breaker: breaker, pressure: pressure,
                                   storage: storage, logger: logger),
                    RetentionService(leads: store, retentionDays: settings.retentionDays, logger: logger),
                    DatabasePersistDriver(sessions: store))
    return app
}

/// Opens the database for writing with the configured master key; refuses, naming where the key came
/// from, when that key does not open the keys stored in the database (a service that cannot open them
/// would accept leads and never deliver one).
///
/// A key file is created only with a new database: a missing key file beside an existing database is
/// a lost key, and a new one would open none of its keys.
public func openStore(_ settings: DispatcherSettings) throws -> SQLiteStore {
    let databaseExists = FileManager.default.fileExists(atPath: settings.database)
    let masterKey: MasterKey
    do {
        masterKey = try MasterKeySource.resolve(settings, create: !databaseExists)
    } catch StoreError.masterKey(let message) where databaseExists && settings.secretKey == nil {
        throw StoreError.masterKey("""
            \(message), but the database \(settings.database) exists: its CRM keys open only with the key it was set up with; \
            put that key file back (or set DISPATCHER_SECRET_KEY to it)
            """)
    }
    do {
        return try SQLiteStore(path: settings.database, masterKey: masterKey)
    } catch StoreError.wrongMasterKey {
        throw StoreError.masterKey("""
            the key from \(MasterKeySource.describe(settings)) does not open the CRM keys stored in \(settings.database); \
            start with the key they were sealed with (after `secrets rotate`, the key file it wrote)
            """)
    }
}

/// The routes: health, metrics, the API document and lead ingest without a token; everything under
/// `/v1` behind a bearer token.
func buildRouter(store: any DispatcherStore, settings: DispatcherSettings, delivery: DeliveryWakeUp?, circuits: CircuitBreaker?,
                 pressure: IngestPressure? = nil, storage: StorageHealth, consolePages: ConsolePages) -> Router<DispatcherRequestContext> {
    let router = Router(context: DispatcherRequestContext.self)
    let routes = RouteTable()
    let lastVerification = LastChainVerification()
    router.addMiddleware {
        RequestIDMiddleware()
        RequestLogMiddleware(.info)
        MetricsMiddleware()
        ErrorMappingMiddleware(routes: routes, storage: storage)
    }
    HealthController(store: store, circuits: circuits, storage: storage).addRoutes(to: router)
    MetricsController(registry: MetricsRegistry.shared, outbox: store, pressure: pressure, storage: storage).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    LeadImportController(vendors: store, leads: store, settings: settings, delivery: delivery, pressure: pressure, storage: storage)
        .addRoutes(to: router)

    let v1 = router.group("v1").add(middleware: BearerAuthMiddleware(tokens: store))
    let limit = settings.maxAdminBodyBytes
    PolicyEntityController<Account>(repository: store, bodyLimit: limit).addRoutes(to: v1.group("accounts"))
    PolicyEntityController<Agent>(repository: store, bodyLimit: limit).addRoutes(to: v1.group("agents"))
    PolicyEntityController<Pool>(repository: store, bodyLimit: limit).addRoutes(to: v1.group("pools"))
    PoolRotationController(leads: store, settings: settings).addRoutes(to: v1.group("pools"))
    PolicyEntityController<Rule>(repository: store, bodyLimit: limit).addRoutes(to: v1.group("rules"))
    PolicyController(repository: store, bodyLimit: limit).addRoutes(to: v1.group("policy"))
    PolicyVersionController(repository: store).addRoutes(to: v1.group("policy/versions"))
    VendorController(repository: store, bodyLimit: limit).addRoutes(to: v1.group("vendors"))
    TokenController(repository: store, bodyLimit: limit).addRoutes(to: v1.group("tokens"))
    UserController(repository: store, bodyLimit: limit).addRoutes(to: v1.group("users"))
    AuditEventController(repository: store, lastVerification: lastVerification).addRoutes(to: v1.group("audit-events"))
    LeadController(leads: store, settings: settings, delivery: delivery).addRoutes(to: v1)
    StatsController(leads: store, policies: store, vendors: store, settings: settings).addRoutes(to: v1)
    ConsoleController(pages: consolePages, users: store, sessions: store, leads: store, outbox: store, policies: store, audit: store,
                      vendors: store, tokens: store, circuits: circuits, settings: settings, lastVerification: lastVerification,
                      delivery: delivery)
        .addRoutes(to: router)
    routes.record(router)
    return router
}
