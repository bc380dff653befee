import ActivityStreams
import Core
import Crypto
import Domain
import Foundation
import Logging
import ServiceLifecycle

/// Processes stored inbox items: one small handler per activity type, dispatched from one
/// switch. Handlers are idempotent, so an item taken again after a crash does no harm.
/// Unknown types are kept and marked done.
public final class InboxProcessor: Service, Sendable {
    let queue: any ActivityQueueRepository
    let accounts: any RemoteAccountRepository
    let graph: any SocialGraphRepository
    let statuses: any StatusRepository
    let reports: any ReportRepository
    let resolver: ActorResolver
    /// Told of each new post stored (groups Announce theirs).
    let listener: (any PostListener)?
    /// Decides follows of local accounts with rules of their own (groups).
    let admission: (any FollowAdmission)?
    let policy: DomainPolicyService
    let settings: FederationSettings
    let logger: Logger
    public let signal = WakeSignal()
    /// Told when a handler records an activity to deliver (an Accept).
    let deliverySignal: WakeSignal?
    static let maxAttempts = 8

    public init(
        queue: any ActivityQueueRepository, accounts: any RemoteAccountRepository, graph: any SocialGraphRepository,
        statuses: any StatusRepository, reports: any ReportRepository, resolver: ActorResolver, policy: DomainPolicyService,
        settings: FederationSettings, deliverySignal: WakeSignal?, logger: Logger, groups: GroupService? = nil
    ) {
        self.reports = reports
        self.listener = groups
        self.admission = groups
        self.queue = queue
        self.accounts = accounts
        self.graph = graph
        self.statuses = statuses
        self.resolver = resolver
        self.policy = policy
        self.settings = settings
        self.deliverySignal = deliverySignal
        self.logger = logger
    }

    public func run() async throws {
        if settings.ownsQueues, let released = try? await queue.releaseLeases(inbox: true), released > 0 {
            logger.notice("inbox items of a stopped process taken up again", metadata: ["count": "\(released)"])
        }
        await runWorkerLoop(signal: signal, logger: logger, name: "inbox") { try await self.runOnce() }
    }

    /// Processes one batch of due items; returns whether there was any.
    @discardableResult
    public func runOnce(limit: Int = 64) async throws -> Bool {
        let items = try await queue.claimInbox(limit: limit, lease: .seconds(120))
        // The batch's actors in one query, read fresh (a suspension made meanwhile counts).
        let actors = try await accounts.accounts(uris: items.map(\.actorURI))
        let known = Dictionary(actors.map { ($0.uri, $0) }, uniquingKeysWith: { first, _ in first })
        // One actor's activities in the order they came (a Create before its Update or Delete);
        // different actors' side by side, so a batch waits on the database in parallel.
        var chains: [String: [InboxItem]] = [:]
        for item in items { chains[item.actorURI, default: []].append(item) }
        let done = await withTaskGroup(of: [Int64].self) { group in
            for (actorURI, chain) in chains {
                group.addTask {
                    var done: [Int64] = []
                    var actor = known[actorURI]
                    for item in chain {
                        if await self.process(item, actor: actor) { done.append(item.id) }
                        // Only a post leaves its author as it was; anything else is read again.
                        if item.activityType != "Create" { actor = nil }
                    }
                    return done
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        try await queue.completeInbox(ids: done)
        return !items.isEmpty
    }

    /// Handles one item; true when it is done (the caller marks the batch), false when it was
    /// scheduled for a retry or marked failed.
    func process(_ item: InboxItem, actor: Account? = nil) async -> Bool {
        let metadata: Logger.Metadata = ["activity_id": "\(item.activityURI)", "type": "\(item.activityType)"]
        do {
            let activity = try ASActivity(JSONValue.parse(Array(item.payload.utf8)))
            try await handle(activity, actor: actor)
            return true
        } catch let error as KithError where error.kind == .unavailable && item.attempts < Self.maxAttempts {
            // A peer we needed (a parent post, an actor) did not answer: try again later.
            let delay = min(30 * pow(2, Double(item.attempts - 1)), 3600) * settings.deliveryBackoffScale
            try? await queue.failInbox(id: item.id, error: error.description, retryAt: Date().addingTimeInterval(delay))
            logger.info("inbox item will be retried", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        } catch {
            try? await queue.failInbox(id: item.id, error: "\(error)", retryAt: nil)
            logger.notice("inbox item failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        return false
    }

    /// The one dispatch switch: a new activity type is a case here and a handler.
    /// `actor`: the account of the activity's actor when the caller has just read it.
    func handle(_ activity: ASActivity, actor prefetched: Account? = nil) async throws {
        // The inbox verified the actor's key, so the actor is known unless deleted since.
        var known = prefetched?.uri == activity.actor ? prefetched : try await accounts.account(uri: activity.actor)
        if known == nil { known = try await resolver.actor(uri: activity.actor) }
        guard let actor = known else { throw KithError(.unavailable, "the actor \(activity.actor) is unknown") }
        // Nothing is taken from an account a moderator suspended.
        if actor.suspended { return }
        switch activity.type {
        case "Follow": try await follow(activity, actor: actor)
        case "Accept": try await acceptOrReject(activity, actor: actor, accept: true)
        case "Reject": try await acceptOrReject(activity, actor: actor, accept: false)
        case "Undo": try await undo(activity, actor: actor)
        case "Create": try await create(activity, actor: actor)
        case "Update": try await update(activity, actor: actor)
        case "Delete": try await delete(activity, actor: actor)
        case "Like": try await like(activity, actor: actor)
        case "Announce": try await announce(activity, actor: actor)
        case "Block": try await block(activity, actor: actor)
        case "Add": try await featured(activity, actor: actor, add: true)
        case "Remove": try await featured(activity, actor: actor, add: false)
        case "Flag": try await flag(activity, actor: actor)
        default:
            logger.debug("activity type ignored", metadata: ["type": "\(activity.type)"])
        }
    }

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

    // MARK: Follow, Accept, Reject, Block

    func follow(_ activity: ASActivity, actor: Account) async throws {
        guard let target = try await localAccount(activity.objectId), let followID = activity.id else { return }
        // A group admits by its privacy: open at once, closed on approval, secret by invitation.
        let groupAdmission = try await admission?.admission(target: target, applicant: actor)
        if try await graph.isBlocking(accountID: target.id, targetAccountID: actor.id) || groupAdmission == .some(nil) {
            _ = try await queue.publish(
                OutgoingActivity(
                    uri: answerID(target, "rejects", to: followID), accountID: target.id, kind: .reject, targetAccountID: actor.id,
                    relatedURI: followID, relatedActorURI: actor.uri, to: [actor.uri]))
            await deliverySignal?.notify()
            return
        }
        let existing = try await graph.findFollow(accountID: actor.id, targetAccountID: target.id)
        var state: FollowState = (target.locked && existing?.state != .accepted) ? .pending : .accepted
        if case .some(.some(let admitted)) = groupAdmission, existing?.state != .accepted { state = admitted }
        let accept =
            state == .accepted
            ? OutgoingActivity(
                uri: answerID(target, "accepts", to: followID), accountID: target.id, kind: .accept, targetAccountID: actor.id,
                relatedURI: followID, relatedActorURI: actor.uri, to: [actor.uri]) : nil
        _ = try await graph.upsertFollow(accountID: actor.id, targetAccountID: target.id, uri: followID, state: state, publish: accept)
        if accept != nil { await deliverySignal?.notify() }
    }

    func acceptOrReject(_ activity: ASActivity, actor: Account, accept: Bool) async throws {
        guard let object = activity.object else { return }
        var follow: Follow?
        if let id = object.idValue { follow = try await graph.findFollow(uri: id) }
        if follow == nil, let follower = try await localAccount(object["actor"]?.idValue) {
            follow = try await graph.findFollow(accountID: follower.id, targetAccountID: actor.id)
        }
        guard let follow, follow.targetAccountID == actor.id else { return }
        if accept {
            try await graph.setFollowState(id: follow.id, state: .accepted, publish: nil)
        } else {
            _ = try await graph.removeFollow(accountID: follow.accountID, targetAccountID: actor.id, publish: nil)
        }
    }

    func block(_ activity: ASActivity, actor: Account) async throws {
        guard let target = try await localAccount(activity.objectId) else { return }
        try await graph.block(accountID: actor.id, targetAccountID: target.id, uri: activity.id, publish: nil)
    }

    // MARK: Undo

    func undo(_ activity: ASActivity, actor: Account) async throws {
        guard let object = activity.object, let undoneID = object.idValue else { return }
        var type = ASObject.types(of: object).first
        if let innerActor = object["actor"]?.idValue, innerActor != actor.uri { return }  // only one's own activities
        if type == nil {
            // A bare id: find what it named.
            if try await graph.findFollow(uri: undoneID) != nil {
                type = "Follow"
            } else if try await statuses.findFavourite(uri: undoneID) != nil {
                type = "Like"
            } else if try await statuses.status(uri: undoneID) != nil {
                type = "Announce"
            }
        }
        switch type {
        case "Follow":
            var targetID = try await localAccount(object["object"]?.idValue)?.id
            if targetID == nil, let follow = try await graph.findFollow(uri: undoneID), follow.accountID == actor.id {
                targetID = follow.targetAccountID
            }
            if let targetID { _ = try await graph.removeFollow(accountID: actor.id, targetAccountID: targetID, publish: nil) }
        case "Like":
            if let favourite = try await statuses.findFavourite(uri: undoneID), favourite.accountID == actor.id {
                _ = try await statuses.unfavourite(accountID: actor.id, statusID: favourite.statusID, publish: nil)
            } else if let statusURI = object["object"]?.idValue, let status = try await statuses.status(uri: statusURI) {
                _ = try await statuses.unfavourite(accountID: actor.id, statusID: status.id, publish: nil)
            }
        case "Announce":
            if let reblog = try await statuses.status(uri: undoneID), reblog.accountID == actor.id, reblog.reblogOfID != nil {
                try await statuses.delete(id: reblog.id, publish: nil)
            }
        case "Block":
            if let target = try await localAccount(object["object"]?.idValue) {
                try await graph.unblock(accountID: actor.id, targetAccountID: target.id, publish: nil)
            }
        default:
            break
        }
    }

    // MARK: Create, Update, Delete

    func create(_ activity: ASActivity, actor: Account) async throws {
        guard let object = activity.object else { return }
        var json = object
        if object.objectValue == nil {
            guard let id = object.idValue else { return }
            json = try await resolver.object(uri: id)
        }
        guard ASObject.types(of: json).contains(where: ASPost.postTypes.contains) else { return }
        let post: ASPost
        do {
            post = try ASPost(json)
        } catch {
            throw KithError(.invalidInput, "the created object cannot be read: \(error)")
        }
        // Only the author's own node speaks for the author's posts.
        guard post.attributedTo == actor.uri, DomainPolicyService.domain(of: post.id) == DomainPolicyService.domain(of: actor.uri) else {
            throw KithError(.invalidInput, "\(actor.uri) cannot create \(post.id), attributed to \(post.attributedTo)")
        }
        _ = try await store(post, author: actor, depth: 0)
    }

    /// Stores a remote post, first fetching a missing parent (up to the depth limit) so the
    /// thread holds together.
    func store(_ post: ASPost, author: Account, depth: Int) async throws -> Status? {
        var parentID: Int64?
        if let parentURI = post.inReplyTo {
            // Known already: nothing to fetch. (A post that is not a reply needs no look first:
            // inserting one that exists gives back the stored row.)
            if let existing = try await statuses.status(uri: post.id) { return existing }
            if let parent = try await statuses.status(uri: parentURI) {
                parentID = parent.id
            } else if depth < settings.maxThreadDepth, !resolver.isLocal(parentURI), try await policy.allows(uri: parentURI) {
                parentID = try? await fetchParent(parentURI, depth: depth + 1)?.id
            }
        }
        let status = Status(
            uri: post.id, url: post.url, accountID: author.id, local: false, objectType: post.type, inReplyToID: parentID,
            inReplyToURI: post.inReplyTo, contextURI: post.context, title: post.name.map(HTMLSanitizer.plainText),
            content: HTMLSanitizer.sanitize(post.content), spoilerText: post.summary.map(HTMLSanitizer.plainText) ?? "", sensitive: post.sensitive,
            visibility: Addressing.visibility(to: post.to, cc: post.cc, followers: author.followersURI), language: post.language,
            to: post.to, cc: post.cc, publishedAt: post.published ?? Date(), editedAt: post.updated,
            mentions: post.mentions.map { Mention(uri: $0.href, name: $0.name) }, tags: post.hashtags)
        do {
            let (stored, inserted) = try await statuses.insert(status, publish: nil)
            if inserted { try await listener?.posted(stored) }
            return stored
        } catch let error as KithError where error.kind == .conflict {
            return nil  // deleted before: stays deleted
        }
    }

    func fetchParent(_ uri: String, depth: Int) async throws -> Status? {
        let json = try await resolver.object(uri: uri)
        let post = try ASPost(json)
        let author = try await resolver.actor(uri: post.attributedTo)
        guard DomainPolicyService.domain(of: post.id) == DomainPolicyService.domain(of: author.uri) else { return nil }
        return try await store(post, author: author, depth: depth)
    }

    func update(_ activity: ASActivity, actor: Account) async throws {
        guard let object = activity.object, object.objectValue != nil else { return }
        let types = ASObject.types(of: object)
        if types.contains(where: ASActor.actorTypes.contains) {
            guard object["id"]?.stringValue == actor.uri else { return }
            _ = try await resolver.store(object, fetchedFrom: actor.uri)
        } else if types.contains(where: ASPost.postTypes.contains) {
            let post = try ASPost(object)
            guard post.attributedTo == actor.uri, var status = try await statuses.status(uri: post.id), status.accountID == actor.id else { return }
            status.content = HTMLSanitizer.sanitize(post.content)
            status.spoilerText = post.summary.map(HTMLSanitizer.plainText) ?? ""
            status.sensitive = post.sensitive
            status.title = post.name.map(HTMLSanitizer.plainText)
            status.editedAt = post.updated ?? Date()
            status.mentions = post.mentions.map { Mention(uri: $0.href, name: $0.name) }
            status.tags = post.hashtags
            try await statuses.update(status, publish: nil)
        }
    }

    func delete(_ activity: ASActivity, actor: Account) async throws {
        guard let objectID = activity.objectId else { return }
        if objectID == actor.uri {
            try await accounts.deleteRemote(uri: actor.uri)
        } else if let status = try await statuses.status(uri: objectID), status.accountID == actor.id {
            let boosters = try await accounts.accounts(ids: try await statuses.boosterIDs(of: status.id)).filter(\.isLocal)
            try await statuses.delete(id: status.id, publish: nil)
            try await forward(activity, of: status, author: actor, boostedBy: boosters)
        }
    }

    /// Mastodon's `forward_for_reblogs`: a Delete of a public or unlisted post that local
    /// accounts boosted goes on, as it came, to their followers on other nodes, so the post
    /// disappears where the boosts took it. Only a Delete its author signed (an object integrity
    /// proof) is forwarded: the receivers verify it against the author, not against this node.
    func forward(_ activity: ASActivity, of status: Status, author: Account, boostedBy boosters: [Account]) async throws {
        guard let booster = boosters.first, status.visibility == .public || status.visibility == .unlisted,
            activity.raw["proof"] != nil, let id = activity.id
        else { return }
        var inboxes = Set<String>()
        for account in boosters { inboxes.formUnion(try await graph.followerInboxes(of: account.id)) }
        inboxes.subtract([author.inboxURI, author.sharedInboxURI].compactMap { $0 })
        guard !inboxes.isEmpty else { return }
        var forwarded = OutgoingActivity(
            uri: id + "#forwarded-by-" + booster.username, accountID: booster.id, kind: .delete, objectURI: status.uri)
        forwarded.extraInboxes = inboxes.sorted()
        forwarded.forwardedPayload = String(decoding: activity.raw.serialized(), as: UTF8.self)
        _ = try await queue.publish(forwarded)
        await deliverySignal?.notify()
        logger.debug("delete forwarded", metadata: ["activity_id": "\(id)", "inboxes": "\(inboxes.count)"])
    }

    // MARK: Like, Announce

    func like(_ activity: ASActivity, actor: Account) async throws {
        guard let objectID = activity.objectId, let status = try await statuses.status(uri: objectID) else { return }
        _ = try await statuses.favourite(accountID: actor.id, statusID: status.id, uri: activity.id, publish: nil)
    }

    /// A report from another node (Mastodon sends it from its instance actor): the object lists
    /// the reported actor and posts; those of this node become a report for its moderators.
    /// Ignored when a domain block says to reject the node's reports.
    func flag(_ activity: ASActivity, actor: Account) async throws {
        guard let id = activity.id, let domain = DomainPolicyService.domain(of: actor.uri), DomainPolicyService.domain(of: id) == domain else {
            return  // a Flag's id must be on its sender's node, so no node can claim another's
        }
        if try await policy.rejectsReports(domain: domain) { return }
        var target: Account?
        var reported: [Status] = []
        for uri in (activity.object?.listValue.compactMap(\.idValue) ?? []) where resolver.isLocal(uri) {
            if let account = try await localAccount(uri) {
                target = target ?? account
            } else if let status = try await statuses.status(uri: uri), status.local {
                reported.append(status)
                if target == nil { target = try await accounts.account(id: status.accountID) }
            }
        }
        guard let target else { return }
        let comment = HTMLSanitizer.plainText(activity.raw["content"]?.stringValue ?? "")
        _ = try await reports.createReport(
            Report(
                accountID: actor.id, targetAccountID: target.id, statusIDs: reported.filter { $0.accountID == target.id }.map(\.id),
                comment: String(comment.prefix(1000)), uri: id),
            publish: nil)
    }

    /// Add or Remove on the actor's featured collection: it pinned or unpinned one of its posts.
    /// Other collections are ignored.
    func featured(_ activity: ASActivity, actor: Account, add: Bool) async throws {
        guard let collection = activity.target, collection == actor.featuredURI, let objectID = activity.objectId else { return }
        var status = try await statuses.status(uri: objectID)
        if status == nil, add, !resolver.isLocal(objectID), try await policy.allows(uri: objectID) {
            status = try await fetchParent(objectID, depth: 0)
        }
        guard let status, status.accountID == actor.id, status.reblogOfID == nil else { return }
        if add {
            _ = try await statuses.pin(accountID: actor.id, statusID: status.id, publish: nil)
        } else {
            _ = try await statuses.unpin(accountID: actor.id, statusID: status.id, publish: nil)
        }
    }

    /// A post a group embeds in its Announce (FEP-1b12) is taken from the Announce only when the
    /// post and its author live on the group's own node, which signed the Announce and so speaks
    /// for them; a post from anywhere else is fetched from its origin.
    func groupEmbeddedPost(_ activity: ASActivity, group: Account) async throws -> Status? {
        guard let object = activity.object, object.objectValue != nil,
            ASObject.types(of: object).contains(where: ASPost.postTypes.contains), let post = try? ASPost(object)
        else { return nil }
        let groupHost = DomainPolicyService.domain(of: group.uri)
        guard DomainPolicyService.domain(of: post.id) == groupHost, DomainPolicyService.domain(of: post.attributedTo) == groupHost,
            !resolver.isLocal(post.id)
        else { return nil }
        var author = try await accounts.account(uri: post.attributedTo)
        if author == nil { author = try await resolver.actor(uri: post.attributedTo) }
        guard let author, !author.suspended else { return nil }
        return try await store(post, author: author, depth: 0)
    }

    func announce(_ activity: ASActivity, actor: Account) async throws {
        guard let objectID = activity.objectId, let announceID = activity.id else { return }
        guard DomainPolicyService.domain(of: announceID) == DomainPolicyService.domain(of: actor.uri) else { return }
        var original = try await statuses.status(uri: objectID)
        if original == nil, actor.actorType == "Group", let embedded = try await groupEmbeddedPost(activity, group: actor) {
            original = embedded
        }
        if original == nil, !resolver.isLocal(objectID), try await policy.allows(uri: objectID) {
            // An embedded copy is not trusted: the post is fetched from its origin.
            original = try await fetchParent(objectID, depth: 0)
        }
        guard let original, original.reblogOfID == nil else { return }
        // A boost from elsewhere of a post of ours that its audience alone may see is ignored,
        // unless the booster is a group the post was addressed to.
        if original.local,
            original.localOnly
                || (!(original.visibility == .public || original.visibility == .unlisted) && !(original.to + original.cc).contains(actor.uri))
        {
            return
        }
        let reblog = Status(
            uri: announceID, accountID: actor.id, local: false, objectType: "Announce", reblogOfID: original.id, content: "",
            visibility: Addressing.visibility(to: activity.to, cc: activity.cc, followers: actor.followersURI), to: activity.to,
            cc: activity.cc, publishedAt: (activity.raw["published"]?.stringValue).flatMap(ASDate.parse) ?? Date())
        do {
            _ = try await statuses.insert(reblog, publish: nil)
        } catch let error as KithError where error.kind == .conflict {
            return
        }
    }
}

extension InboxProcessor: PostResolver {
    /// Fetches a post from its (allowed) node, with its author, and stores it.
    public func resolvePost(url: String) async throws -> Status? {
        if let known = try await statuses.status(uri: url) { return known }
        guard !resolver.isLocal(url), try await policy.allows(uri: url) else { return nil }
        do {
            return try await fetchParent(url, depth: 0)
        } catch is ActivityStreamsError {
            return nil  // not a post
        }
    }
}
