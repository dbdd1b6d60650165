import Foundation
import Hummingbird
import LeadPolicy
import LeadStore
import Logging

/// Builds the HTTP application on a store the caller opened (tests seed it first), through its
/// repository protocols only: the application does not know which database is behind them.
public func buildApplication(_ settings: DispatcherSettings, store: some DispatcherStore, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "lead-dispatcher")
    logger.logLevel = settings.logLevel
    // Where leads come in, where they are kept and where they go, so a typo shows at the first look.
    var metadata: Logger.Metadata = [
        "address": .string("\(settings.host):\(settings.port)"),
        "database": .string(settings.databaseDescription),
        "crm_url": .string(CRMURL.redacted(settings.crmURL)),
    ]
    for setting in try await store.durabilitySettings() { metadata[setting.name] = .string(setting.value) }
    logger.notice("starting", metadata: metadata)
    let wakeUp = DeliveryWakeUp()
    let breaker = CircuitBreaker(threshold: settings.circuitThreshold, initialCoolDown: settings.circuitCoolDown,
                                 maxCoolDown: settings.circuitCoolDown * 10)
    let pressure = IngestPressure()
    let databasePath: String? = if case .sqlite(let path) = settings.databaseLocation { path } else { nil }
    let storage = StorageHealth(databasePath: databasePath, logger: logger, isFull: { store.isStorageFull($0) },
                                isUnavailable: { store.isUnavailable($0) })
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
                                   storage: storage, signalled: store.instanceSignals != nil, logger: logger),
                    RetentionService(leads: store, retentionDays: settings.retentionDays, logger: logger),
                    DatabasePersistDriver(sessions: store))
    if let signals = store.instanceSignals {
        app.addServices(InstanceSignalService(signals: signals, wakeUp: wakeUp, pressure: pressure, logger: logger))
    }
    return app
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
