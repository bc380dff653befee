import ActivityStreams
import Core
import Crypto
import Domain
import Logging

/// What inbound handlers work with: the repositories, the resolver, the federation policy,
/// remote posts, and the logger of the activity being handled (with its id, type and actor).
public struct InboundContext: Sendable {
    public let queue: any ActivityQueueRepository
    public let accounts: any RemoteAccountRepository
    public let graph: any SocialGraphRepository
    public let statuses: any StatusRepository
    public let reports: any ReportRepository
    public let resolver: any RemoteDirectory
    public let policy: DomainPolicyService
    /// Stores remote posts, fetching missing parents and unknown posts.
    public let posts: RemotePosts
    /// Decides follows of local accounts with rules of their own (groups).
    public let admission: (any FollowAdmission)?
    /// Told when a handler records an activity to deliver (an Accept, a forwarded Delete).
    let deliverySignal: WakeSignal?
    public var logger: Logger

    public init(
        queue: any ActivityQueueRepository, accounts: any RemoteAccountRepository, graph: any SocialGraphRepository,
        statuses: any StatusRepository, reports: any ReportRepository, resolver: any RemoteDirectory, policy: DomainPolicyService,
        posts: RemotePosts, admission: (any FollowAdmission)?, deliverySignal: WakeSignal?, logger: Logger
    ) {
        self.queue = queue
        self.accounts = accounts
        self.graph = graph
        self.statuses = statuses
        self.reports = reports
        self.resolver = resolver
        self.policy = policy
        self.posts = posts
        self.admission = admission
        self.deliverySignal = deliverySignal
        self.logger = logger
    }

    /// The local account with this URI, if it is one.
    func localAccount(_ uri: String?) async throws -> Account? {
        guard let uri, resolver.isLocal(uri), let account = try await accounts.account(uri: uri), account.isLocal else { return nil }
        return account
    }

    /// A stable id for an activity this node sends in answer to `source`, so a retried item
    /// does not send a second answer.
    func answerID(_ account: Account, _ kind: String, to source: String) -> String {
        let digest = Hex.lowercase(SHA256.hash(data: Array(source.utf8)).prefix(12))
        return "\(account.uri)#\(kind)/\(digest)"
    }

    /// Records an activity to deliver and starts delivery.
    func publish(_ activity: OutgoingActivity) async throws {
        _ = try await queue.publish(activity)
        await deliveryRecorded()
    }

    /// Tells delivery that a repository call recorded an activity.
    func deliveryRecorded() async {
        await deliverySignal?.notify()
    }
}

/// Actors and objects of other nodes, as inbound handlers need them. `ActorResolver` is the
/// one that fetches (signed, from allowed nodes only).
public protocol RemoteDirectory: Sendable {
    /// Whether `uri` is served by this node.
    func isLocal(_ uri: String) -> Bool
    /// The actor with id `uri`: known and fresh, or fetched.
    func actor(uri: String, refresh: Bool) async throws -> Account
    /// An object by id, fetched from its origin.
    func object(uri: String) async throws -> JSONValue
    /// Stores an actor document whose id is on the host it came from.
    func store(_ json: JSONValue, fetchedFrom url: String) async throws -> Account
}

extension RemoteDirectory {
    func actor(uri: String) async throws -> Account {
        try await actor(uri: uri, refresh: false)
    }
}

extension ActorResolver: RemoteDirectory {}
