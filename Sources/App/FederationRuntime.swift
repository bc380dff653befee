import API
import Core
import Domain
import Federation
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Everything federation needs, wired once per process: the store, the HTTP client, the
/// policy, the resolver, the inbox and its processor, the delivery worker and the local
/// actions. Its services (processor, delivery, HTTP client) run with the application.
public final class FederationRuntime: Sendable {
    public let store: PostgresFederationStore
    public let accounts: PostgresAccountRepository
    public let keys: NodeKeys
    public let http: FederationHTTPClient
    public let policy: DomainPolicyService
    /// Admin changes of the federation policy (audited; applied at once).
    public let admin: AdminService
    /// Reports and moderation (audited).
    public let moderation: ModerationService
    /// Groups (FEP-1b12).
    public let groups: GroupService
    public let resolver: ActorResolver
    public let receiver: InboxReceiver
    public let processor: InboxProcessor
    /// Posts from other nodes, fetched when something names them.
    public let posts: RemotePosts
    public let delivery: DeliveryWorker
    public let social: SocialService
    /// Turns what authors write into posts, for every surface.
    public let composer: PostComposer
    public let settings: FederationSettings
    public let node: NodeIdentity
    /// OAuth 2 for the client APIs.
    public let oauth: OAuthService
    public let statistics: PostgresNodeRepository
    /// Reads the database's change log for the caches below (with caching off, only prunes it).
    public let changes: ChangeListener
    /// Rendered timeline and thread pages, by reader, path and query.
    public let pages: StampedCache<String, CachedPage>?
    /// Tokens with their accounts, by token hash.
    public let tokens: StampedCache<String, AccessToken>?
    /// Accounts' Ed25519 keys for object integrity proofs.
    public let assertionKeys: AssertionKeys

    public init(database: DatabasePool, config: KithConfig, settings: FederationSettings? = nil, logger: Logger) {
        let node = config.nodeIdentity
        let settings = settings ?? config.federationSettings
        let store = PostgresFederationStore(client: database.client, logger: logger, baseURL: node.baseURL)
        let nodeRepository = PostgresNodeRepository(client: database.client, logger: logger)
        let keys = NodeKeys(repository: nodeRepository)
        let http = FederationHTTPClient(settings: settings, userAgent: "Kith/\(KithVersion.current) (+\(node.baseURL))", logger: logger)
        let policy = DomainPolicyService(mode: config.federationMode, repository: store.domainPolicy)
        let resolver = ActorResolver(accounts: store.accounts, http: http, policy: policy, keys: keys, node: node, settings: settings, logger: logger)
        let assertionKeys = AssertionKeys(repository: store.assertionKeys)
        self.assertionKeys = assertionKeys
        let renderer = ActivityRenderer(
            renderers: Self.outboundRenderers,
            context: OutboundContext(accounts: store.accounts, statuses: store.statuses, queue: store.queue, node: node, keys: assertionKeys),
            graph: store.graph, policy: policy, keys: assertionKeys)
        let delivery = DeliveryWorker(
            queue: store.queue, accounts: store.accounts, renderer: renderer, http: http, policy: policy, settings: settings, logger: logger,
            applicationKey: { try await resolver.applicationSigningKey() })
        let groups = GroupService(
            groups: store.groups, accounts: store.accounts, graph: store.graph, statuses: store.statuses, directory: resolver, keys: RSAActorKeyGenerator(),
            notifier: delivery.signal, baseURL: node.baseURL)
        let posts = RemotePosts(
            accounts: store.accounts, statuses: store.statuses, resolver: resolver, policy: policy, maxThreadDepth: settings.maxThreadDepth, listener: groups)
        let processor = InboxProcessor(
            handlers: Self.inboundHandlers,
            context: InboundContext(
                queue: store.queue, accounts: store.accounts, graph: store.graph, statuses: store.statuses, reports: store.reports, resolver: resolver, policy: policy, posts: posts,
                admission: groups, deliverySignal: delivery.signal, logger: logger),
            settings: settings, logger: logger)
        self.posts = posts
        self.groups = groups
        self.store = store
        self.accounts = PostgresAccountRepository(client: database.client, logger: logger)
        self.keys = keys
        self.http = http
        self.policy = policy
        self.admin = AdminService(policy: store.domainPolicy, queue: store.queue, audit: store.audit, changed: { await policy.invalidate() })
        self.resolver = resolver
        self.receiver = InboxReceiver(
            resolver: resolver, queue: store.queue, accounts: store.accounts, policy: policy, settings: settings, processorSignal: processor.signal, logger: logger,
            assertionKeys: assertionKeys)
        self.processor = processor
        self.delivery = delivery
        self.moderation = ModerationService(
            reports: store.reports, moderation: store.moderation, accounts: store.accounts, statuses: store.statuses, notifier: delivery.signal, baseURL: node.baseURL)
        let social = SocialService(
            accounts: store.accounts, graph: store.graph, statuses: store.statuses, queue: store.queue, directory: resolver, notifier: delivery.signal, listener: groups,
            admission: groups)
        self.social = social
        self.composer = PostComposer(social: social, statuses: store.statuses, directory: resolver, node: node)
        self.settings = settings
        self.node = node
        let tokens: StampedCache<String, AccessToken>?
        if config.cacheMegabytes > 0 {
            let clock = ChangeClock()
            let bytes = config.cacheMegabytes * 1_048_576
            changes = ChangeListener(client: database.client, clock: clock, logger: logger)
            // Others' changes reach a reader's cached home page within about a second, as posts
            // reach Mastodon's home feeds through its fan-out queue; the reader's own at once.
            pages = StampedCache(clock: clock, capacity: bytes, lifetime: .seconds(30), grace: .seconds(1))
            // A token entry costs about a kilobyte (token, application and account).
            tokens = StampedCache(clock: clock, capacity: max(1, bytes / 8 / 1024), lifetime: .seconds(60))
        } else {
            // Nothing is cached; the change log is still kept short.
            changes = ChangeListener(client: database.client, clock: ChangeClock(), follows: false, logger: logger)
            pages = nil
            tokens = nil
        }
        self.tokens = tokens
        self.oauth = OAuthService(
            repository: PostgresOAuthRepository(client: database.client, logger: logger), hasher: BcryptPasswordHasher(), tokens: tokens)
        self.statistics = nodeRepository
    }

    /// What this node understands of the activities it receives: one handler per verb.
    static let inboundHandlers = InboundHandlers([
        CreateHandler(), UpdateHandler(), DeleteHandler(), FollowHandler(), AcceptHandler(), UndoHandler(), LikeHandler(),
        AnnounceHandler(), BlockHandler(), FeaturedHandler(), FlagHandler(),
    ])

    /// How this node renders the activities it sends: one renderer per verb.
    public static let outboundRenderers = OutboundRenderers([
        CreateRenderer(), UpdateRenderer(), DeleteRenderer(), FollowRenderer(), AcceptRenderer(), UndoRenderer(), LikeRenderer(),
        AnnounceRenderer(), FeaturedRenderer(), FlagRenderer(),
    ])

    /// The background services: inbox processing, delivery, the HTTP client's shutdown and
    /// reading the database's change log.
    public var services: [any Service] { [processor, delivery, HTTPClientService(client: http), changes] }

    public var activityPubStorage: ActivityPubController<AppRequestContext>.Storage {
        .init(accounts: accounts, remote: store.accounts, graph: store.graph, statuses: store.statuses, queue: store.queue, groups: store.groups)
    }
}

/// Shuts the outgoing HTTP client down when the service group stops.
struct HTTPClientService: Service {
    let client: FederationHTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
