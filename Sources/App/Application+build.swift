import API
import Domain
import Federation
import Hummingbird
import Logging
import Prometheus

/// The version reported by `kith version`, `/health` and (later) NodeInfo.
public enum KithVersion {
    public static let current = "0.1.0"
}

/// What the HTTP application needs from the outside, so tests can give their own.
public struct AppDependencies: Sendable {
    public var database: any HealthCheck
    public var registry: PrometheusCollectorRegistry
    public var logger: Logger
    /// Storage behind the discovery routes; without it only /health and /metrics are served.
    public var federation: FederationStorage?
    /// The inbox, collections and object routes, and the workers behind them.
    public var runtime: FederationRuntime?

    public init(
        database: any HealthCheck, registry: PrometheusCollectorRegistry = .init(), logger: Logger, federation: FederationStorage? = nil,
        runtime: FederationRuntime? = nil
    ) {
        self.database = database
        self.registry = registry
        self.logger = logger
        self.federation = federation
        self.runtime = runtime
    }
}

/// The repositories the federation routes read and write.
public struct FederationStorage: Sendable {
    public var accounts: any AccountRepository
    public var statistics: any NodeStatistics
    public var keys: NodeKeys

    public init(accounts: any AccountRepository, statistics: any NodeStatistics, keys: NodeKeys) {
        self.accounts = accounts
        self.statistics = statistics
        self.keys = keys
    }
}

/// Builds the node's HTTP application: routes, middleware and server settings. Services the
/// application depends on (the database pool) are added by the caller.
public func buildApplication(config: KithConfig, dependencies: AppDependencies) -> Application<RouterResponder<AppRequestContext>> {
    let router = buildRouter(config: config, dependencies: dependencies)
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Kith/\(KithVersion.current)"),
        logger: dependencies.logger)
}

func buildRouter(config: KithConfig, dependencies: AppDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Order matters: the request log sees the final status, metrics count the rendered error,
    // and the error middleware turns every thrown error into JSON.
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: PrometheusMetricsMiddleware(registry: dependencies.registry))
    router.add(middleware: ErrorMiddleware())
    if let runtime = dependencies.runtime, runtime.pages != nil {
        router.add(middleware: ChangeFenceMiddleware(fence: runtime.changes))
    }
    if let runtime = dependencies.runtime {
        // Reads the bearer token once; each route asks the context for the account and scope it needs.
        router.add(middleware: AuthenticationMiddleware(oauth: runtime.oauth, accounts: runtime.store.accounts))
    }
    var caches: [String: @Sendable () -> (hits: Int, misses: Int, entries: Int, cost: Int)] = [:]
    if let pages = dependencies.runtime?.pages { caches["pages"] = { pages.statistics } }
    if let tokens = dependencies.runtime?.tokens { caches["tokens"] = { tokens.statistics } }
    OperationsController(
        database: dependencies.database, registry: dependencies.registry, version: KithVersion.current,
        metricsToken: config.metricsToken, caches: caches
    ).addRoutes(to: router)
    if let federation = dependencies.federation {
        FederationDocumentsController<AppRequestContext>(
            accounts: federation.accounts, statistics: federation.statistics, keys: federation.keys,
            settings: .init(
                node: config.nodeIdentity, softwareVersion: KithVersion.current,
                openRegistrations: config.registrationMode == .open, federationMode: config.federationMode.rawValue),
            authorizer: dependencies.runtime.map { FetchAuthorizer(receiver: $0.receiver, node: $0.node, required: config.federationAuthorizedFetch) },
            groups: dependencies.runtime?.store.groups, assertionKeys: dependencies.runtime?.assertionKeys
        ).addRoutes(to: router)
    }
    if let runtime = dependencies.runtime {
        ActivityPubController<AppRequestContext>(
            receiver: runtime.receiver, storage: runtime.activityPubStorage, node: runtime.node,
            maxBodyBytes: runtime.settings.maxDocumentBytes, authorizedFetch: config.federationAuthorizedFetch,
            renderers: FederationRuntime.outboundRenderers
        ).addRoutes(to: router)
        OAuthController(oauth: runtime.oauth, baseURL: config.publicURL, nodeName: config.domain).addRoutes(to: router)
        InstanceController(
            statistics: runtime.statistics, timelines: runtime.store.timelines,
            settings: .init(
                node: config.nodeIdentity, softwareVersion: KithVersion.current, registrationMode: config.registrationMode, maxPostLength: runtime.composer.maxPostLength)
        ).addRoutes(to: router)
        var dependencies = MastodonAPI.Dependencies(
            social: runtime.social, accounts: runtime.store.accounts, graph: runtime.store.graph, statuses: runtime.store.statuses,
            timelines: runtime.store.timelines, notifications: runtime.store.notifications, directory: runtime.resolver, posts: runtime.posts,
            localAccounts: runtime.accounts, node: config.nodeIdentity, composer: runtime.composer)
        dependencies.loginWall = config.loginWall
        dependencies.pages = runtime.pages
        let api = MastodonAPI(dependencies)
        StatusesController(api: api).addRoutes(to: router)
        TimelinesController(api: api).addRoutes(to: router)
        AccountsController(api: api).addRoutes(to: router)
        NotificationsController(api: api).addRoutes(to: router)
        SearchController(api: api).addRoutes(to: router)
        ClientToServerController(api: api).addRoutes(to: router)
        AdminController(admin: runtime.admin, baseURL: config.publicURL).addRoutes(to: router)
        ModerationController(api: api, moderation: runtime.moderation, reports: runtime.store.reports, accounts: runtime.store.moderation).addRoutes(to: router)
        GroupsController(api: api, groups: runtime.groups, repository: runtime.store.groups).addRoutes(to: router)
    }
    return router
}
