import ActivityStreams
import Core
import Domain
import Federation
import HTTPSignatures
import Hummingbird
import NIOCore

/// The ActivityPub server-to-server routes: inboxes, outbox and follow collections, and the
/// documents of posts and activities.
public struct ActivityPubController<Context: RequestContext>: Sendable {
    public struct Storage: Sendable {
        public var accounts: any AccountRepository
        public var remote: any RemoteAccountRepository
        public var graph: any SocialGraphRepository
        public var statuses: any StatusRepository
        public var queue: any ActivityQueueRepository
        public var groups: any GroupRepository

        public init(
            accounts: any AccountRepository, remote: any RemoteAccountRepository, graph: any SocialGraphRepository,
            statuses: any StatusRepository, queue: any ActivityQueueRepository, groups: any GroupRepository
        ) {
            self.groups = groups
            self.accounts = accounts
            self.remote = remote
            self.graph = graph
            self.statuses = statuses
            self.queue = queue
        }
    }

    let receiver: InboxReceiver
    let storage: Storage
    let node: NodeIdentity
    let maxBodyBytes: Int
    let authorizer: FetchAuthorizer
    /// Which recorded activities are served at their ids.
    let renderers: OutboundRenderers
    static var pageSize: Int { 20 }

    public init(
        receiver: InboxReceiver, storage: Storage, node: NodeIdentity, maxBodyBytes: Int, authorizedFetch: Bool, renderers: OutboundRenderers
    ) {
        self.renderers = renderers
        self.receiver = receiver
        self.storage = storage
        self.node = node
        self.maxBodyBytes = maxBodyBytes
        self.authorizer = FetchAuthorizer(receiver: receiver, node: node, required: authorizedFetch)
    }

    public func addRoutes(to router: Router<Context>) {
        router.post("/inbox") { request, _ in try await self.inbox(request, recipient: nil) }
        router.post("/users/:username/inbox") { request, context in
            try await self.inbox(request, recipient: try context.parameters.require("username"))
        }
        router.get("/users/:username/outbox") { request, context in
            let username = try await self.collectionOwner(request, context).username
            return try await self.outbox(request, username: username)
        }
        router.get("/users/:username/followers") { request, context in
            let (account, requester) = try await self.collectionOwnerAndRequester(request, context)
            // A closed group's members, like a secret one's, are for its members (and their nodes).
            if account.actorType == "Group", account.locked {
                guard let requester, try await self.storage.groups.mayRead(groupID: account.id, signer: requester) else {
                    throw KithError(.notFound, "no account named '\(account.username)' on this node")
                }
            }
            return try await self.follows(request, username: account.username, followers: true)
        }
        router.get("/users/:username/following") { request, context in
            let username = try await self.collectionOwner(request, context).username
            return try await self.follows(request, username: username, followers: false)
        }
        router.get("/users/:username/collections/featured") { request, context in
            // Pinned posts anyone may see, embedded as Mastodon serves them.
            let (account, requester) = try await self.collectionOwnerAndRequester(request, context)
            // A group's pins are its members' posts, each rendered with its own author.
            // A group shows all its pins to its members (and their nodes), public ones to others.
            var isGroup = false
            if account.actorType == "Group", let requester {
                isGroup = try await self.storage.groups.mayRead(groupID: account.id, signer: requester)
            }
            var items: [JSONValue] = []
            for status in try await self.storage.statuses.pinnedStatuses(accountID: account.id) where !status.localOnly {
                guard isGroup || status.visibility == .public || status.visibility == .unlisted,
                    let author = status.accountID == account.id ? account : try await self.storage.remote.account(id: status.accountID)
                else { continue }
                items.append(ObjectDocuments.note(status, author: author, node: self.node))
            }
            let collection = ObjectDocuments.withContext([
                "id": .string(account.featuredURI ?? account.uri + "/collections/featured"),
                "type": "OrderedCollection", "totalItems": .number(Double(items.count)), "orderedItems": .array(items),
            ])
            return DocumentResponse.activityStreams(collection, request: request)
        }
        router.get("/users/:username/statuses/:id") { request, context in
            let (status, author) = try await self.servableStatus(context, requester: try await self.authorizer.requester(request))
            return DocumentResponse.activityStreams(ObjectDocuments.withContext(ObjectDocuments.note(status, author: author, node: self.node)), request: request)
        }
        router.get("/users/:username/statuses/:id/activity") { request, context in
            let (status, author) = try await self.servableStatus(context, requester: try await self.authorizer.requester(request), allowReblog: true)
            if let originalID = status.reblogOfID, let original = try await self.storage.statuses.status(id: originalID) {
                return DocumentResponse.activityStreams(
                    ObjectDocuments.withContext(ObjectDocuments.announce(status, originalURI: original.uri, author: author)), request: request)
            }
            return DocumentResponse.activityStreams(ObjectDocuments.withContext(ObjectDocuments.create(status, author: author, node: self.node)), request: request)
        }
        router.get("/activities/:id") { request, context in
            let requester = try await self.authorizer.requester(request)
            let id = try context.parameters.require("id")
            guard let activity = try await self.storage.queue.findActivity(uri: "\(self.node.baseURL)/activities/\(id)"),
                let payload = activity.payload, !payload.isEmpty, renderers.isServable(activity.activity)
            else {
                throw KithError(.notFound, "no activity \(id)")
            }
            // A secret group's activities (its profile, who joined) are for its members.
            if let actor = try await self.storage.remote.account(id: activity.activity.accountID), actor.isConcealedGroup {
                guard let requester, try await self.storage.groups.mayRead(groupID: actor.id, signer: requester) else {
                    throw KithError(.notFound, "no activity \(id)")
                }
            }
            return DocumentResponse.activityStreams(try JSONValue.parse(Array(payload.utf8)), request: request)
        }
    }

    /// The local account whose collection is asked for, once the requester may see it: a secret
    /// group's collections are for its members alone (404 to anyone else).
    func collectionOwner(_ request: Request, _ context: Context) async throws -> Account {
        try await collectionOwnerAndRequester(request, context).0
    }

    func collectionOwnerAndRequester(_ request: Request, _ context: Context) async throws -> (Account, Account?) {
        let requester = try await authorizer.requester(request)
        let account = try await localAccount(try context.parameters.require("username"))
        if account.isConcealedGroup {
            guard let requester, try await storage.groups.mayRead(groupID: account.id, signer: requester) else {
                throw KithError(.notFound, "no account named '\(account.username)' on this node")
            }
        }
        return (account, requester)
    }

    func inbox(_ request: Request, recipient: String?) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw KithError(.tooLarge, "the activity is larger than \(maxBodyBytes) bytes")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw KithError(.tooLarge, "the activity is larger than \(maxBodyBytes) bytes")
        }
        let signable = FetchAuthorizer.signable(request, baseURL: node.baseURL, body: Array(body.readableBytesView))
        _ = try await receiver.receive(request: signable, recipient: recipient)
        return Response(status: .accepted)
    }

    func localAccount(_ username: String) async throws -> Account {
        guard let account = try await storage.accounts.findLocal(username: username) else {
            throw KithError(.notFound, "no account named '\(username)' on this node")
        }
        return account
    }

    /// A local post of the named account that `requester` may see: public and unlisted ones to
    /// anyone let through; followers-only ones to the author's accepted followers and those
    /// mentioned; direct ones to those mentioned. Local-only posts to nobody. 404 otherwise, so
    /// nothing tells a post exists.
    func servableStatus(_ context: Context, requester: Account?, allowReblog: Bool = false) async throws -> (Status, Account) {
        let account = try await localAccount(try context.parameters.require("username"))
        let id = try context.parameters.require("id")
        guard let statusID = Int64(id), let status = try await storage.statuses.status(id: statusID), status.accountID == account.id,
            allowReblog || status.reblogOfID == nil, !status.localOnly, try await mayFetch(status, requester: requester)
        else {
            throw KithError(.notFound, "no post \(id)")
        }
        return (status, account)
    }

    func mayFetch(_ status: Status, requester: Account?) async throws -> Bool {
        try await VisibilityPolicy(graph: storage.graph).canSee(status, viewer: requester)
    }

    /// Paging of a collection as Mastodon does it: the collection names its first page;
    /// pages go from newest to oldest with `max_id`, and back with `min_id`.
    func page(_ request: Request) -> (isPage: Bool, maxID: Int64?) {
        let query = request.uri.queryParameters
        return (query["page"] != nil || query["max_id"] != nil, query["max_id"].flatMap { Int64(String($0)) })
    }

    func collection(id: String, total: Int) -> JSONValue {
        [
            "@context": "https://www.w3.org/ns/activitystreams", "id": .string(id), "type": "OrderedCollection",
            "totalItems": .number(Double(total)), "first": .string(id + "?page=true"),
        ]
    }

    func collectionPage(id: String, items: [JSONValue], lastID: Int64?, firstID: Int64?, full: Bool, maxID: Int64?) -> JSONValue {
        var page: [String: JSONValue] = [
            "@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollectionPage", "partOf": .string(id),
            "id": .string(id + "?page=true" + (maxID.map { "&max_id=\($0)" } ?? "")), "orderedItems": .array(items),
        ]
        if full, let lastID { page["next"] = .string("\(id)?page=true&max_id=\(lastID)") }
        if maxID != nil, let firstID { page["prev"] = .string("\(id)?page=true&min_id=\(firstID)") }
        return .object(page)
    }

    func outbox(_ request: Request, username: String) async throws -> Response {
        let account = try await localAccount(username)
        let id = account.outboxURI ?? account.uri + "/outbox"
        let visible: [Visibility] = [.public, .unlisted]
        let (isPage, maxID) = page(request)
        guard isPage else {
            return DocumentResponse.activityStreams(
                collection(id: id, total: try await storage.statuses.countStatuses(accountID: account.id, visibilities: visible, federated: true)), request: request)
        }
        let statuses = try await storage.statuses.statuses(accountID: account.id, limit: Self.pageSize, maxID: maxID, visibilities: visible, federated: true)
        var items: [JSONValue] = []
        for status in statuses {
            if let originalID = status.reblogOfID {
                guard let original = try await storage.statuses.status(id: originalID) else { continue }
                items.append(ObjectDocuments.announce(status, originalURI: original.uri, author: account))
            } else {
                items.append(ObjectDocuments.create(status, author: account, node: node))
            }
        }
        return DocumentResponse.activityStreams(
            collectionPage(
                id: id, items: items, lastID: statuses.last?.id, firstID: statuses.first?.id, full: statuses.count == Self.pageSize, maxID: maxID),
            request: request)
    }

    func follows(_ request: Request, username: String, followers: Bool) async throws -> Response {
        let account = try await localAccount(username)
        let id = followers ? (account.followersURI ?? account.uri + "/followers") : (account.followingURI ?? account.uri + "/following")
        let (isPage, maxID) = page(request)
        guard isPage else {
            let counts = try await storage.graph.followCounts(of: account.id)
            return DocumentResponse.activityStreams(collection(id: id, total: followers ? counts.followers : counts.following), request: request)
        }
        let entries =
            followers
            ? try await storage.graph.followers(of: account.id, state: .accepted, limit: Self.pageSize, maxID: maxID)
            : try await storage.graph.following(of: account.id, state: .accepted, limit: Self.pageSize, maxID: maxID)
        // Secret groups are not named in anyone's following collection.
        let shown = entries.filter { !$0.account.isConcealedGroup }
        return DocumentResponse.activityStreams(
            collectionPage(
                id: id, items: shown.map { .string($0.account.uri) }, lastID: entries.last?.followID, firstID: entries.first?.followID,
                full: entries.count == Self.pageSize, maxID: maxID), request: request)
    }
}
