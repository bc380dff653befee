import struct Foundation.Date

/// Who may see a post (Mastodon's four levels).
public enum Visibility: String, Sendable, CaseIterable, Codable {
    case `public`, unlisted, `private`, direct
}

/// A mention in a post: the actor's id and `@user@domain`.
public struct Mention: Sendable, Equatable, Hashable {
    public var uri: String
    public var name: String
    public init(uri: String, name: String) {
        self.uri = uri
        self.name = name
    }
}

/// A post, local or remote. A boost is a status with `reblogOfID` set.
public struct Status: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var uri: String
    public var url: String?
    public var accountID: Int64
    public var local: Bool
    public var objectType: String
    public var inReplyToID: Int64?
    public var inReplyToURI: String?
    public var reblogOfID: Int64?
    public var contextURI: String?
    public var title: String?
    /// HTML.
    public var content: String
    public var spoilerText: String
    public var sensitive: Bool
    public var visibility: Visibility
    public var language: String?
    public var to: [String]
    public var cc: [String]
    public var publishedAt: Date
    public var editedAt: Date?
    public var mentions: [Mention]
    public var tags: [String]
    /// Never leaves this node (not delivered, not served to other nodes, not shown to remote users).
    public var localOnly: Bool = false

    public init(
        id: Int64 = 0, uri: String, url: String? = nil, accountID: Int64, local: Bool, objectType: String = "Note",
        inReplyToID: Int64? = nil, inReplyToURI: String? = nil, reblogOfID: Int64? = nil, contextURI: String? = nil,
        title: String? = nil, content: String, spoilerText: String = "", sensitive: Bool = false, visibility: Visibility,
        language: String? = nil, to: [String] = [], cc: [String] = [], publishedAt: Date = Date(), editedAt: Date? = nil,
        mentions: [Mention] = [], tags: [String] = [], localOnly: Bool = false
    ) {
        self.localOnly = localOnly
        self.id = id
        self.uri = uri
        self.url = url
        self.accountID = accountID
        self.local = local
        self.objectType = objectType
        self.inReplyToID = inReplyToID
        self.inReplyToURI = inReplyToURI
        self.reblogOfID = reblogOfID
        self.contextURI = contextURI
        self.title = title
        self.content = content
        self.spoilerText = spoilerText
        self.sensitive = sensitive
        self.visibility = visibility
        self.language = language
        self.to = to
        self.cc = cc
        self.publishedAt = publishedAt
        self.editedAt = editedAt
        self.mentions = mentions
        self.tags = tags
    }
}

public enum FollowState: String, Sendable, Codable {
    case pending, accepted
}

public struct Follow: Sendable, Equatable {
    public var id: Int64
    public var accountID: Int64
    public var targetAccountID: Int64
    public var uri: String?
    public var state: FollowState
    /// The follower is notified of each new post (Mastodon's `notify`).
    public var notify: Bool
    public init(id: Int64, accountID: Int64, targetAccountID: Int64, uri: String?, state: FollowState, notify: Bool = false) {
        self.id = id
        self.accountID = accountID
        self.targetAccountID = targetAccountID
        self.uri = uri
        self.state = state
        self.notify = notify
    }
}

/// A remote actor's document as Kith keeps it.
public struct RemoteActor: Sendable, Equatable {
    public var uri: String
    public var username: String
    public var domain: String
    public var displayName: String
    public var note: String
    public var actorType: String
    public var url: String?
    public var inboxURI: String
    public var sharedInboxURI: String?
    public var outboxURI: String?
    public var followersURI: String?
    public var followingURI: String?
    public var featuredURI: String?
    public var publicKeyID: String
    public var publicKeyPEM: String
    public var locked: Bool
    public var discoverable: Bool
    public var avatarURL: String?
    public var fields: [ProfileField]
    /// The Ed25519 key it publishes for object integrity proofs (FEP-521a), if any.
    public var assertionKey: AssertionKey?

    public init(
        uri: String, username: String, domain: String, displayName: String = "", note: String = "", actorType: String = "Person",
        url: String? = nil, inboxURI: String, sharedInboxURI: String? = nil, outboxURI: String? = nil, followersURI: String? = nil,
        followingURI: String? = nil, featuredURI: String? = nil, publicKeyID: String, publicKeyPEM: String, locked: Bool = false,
        discoverable: Bool = false, avatarURL: String? = nil, fields: [ProfileField] = []
    ) {
        self.fields = fields
        self.uri = uri
        self.username = username
        self.domain = domain
        self.displayName = displayName
        self.note = note
        self.actorType = actorType
        self.url = url
        self.inboxURI = inboxURI
        self.sharedInboxURI = sharedInboxURI
        self.outboxURI = outboxURI
        self.followersURI = followersURI
        self.followingURI = followingURI
        self.featuredURI = featuredURI
        self.publicKeyID = publicKeyID
        self.publicKeyPEM = publicKeyPEM
        self.locked = locked
        self.discoverable = discoverable
        self.avatarURL = avatarURL
    }
}

/// An activity this node publishes, recorded in the same transaction as its effect. The
/// federation layer renders its JSON and delivers it later; `uri` nil means "mint one from
/// the row id" (`<base>/activities/<id>`).
public struct OutgoingActivity: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case create = "Create", update = "Update", delete = "Delete", follow = "Follow", accept = "Accept",
            reject = "Reject", undo = "Undo", like = "Like", announce = "Announce", block = "Block",
            add = "Add", remove = "Remove", flag = "Flag"
    }
    public var uri: String?
    public var accountID: Int64
    public var kind: Kind
    public var objectURI: String?
    public var statusID: Int64?
    public var targetAccountID: Int64?
    /// Undo: the undone activity's id. Accept/Reject: the Follow's id. Add/Remove: the collection.
    public var relatedURI: String?
    /// Accept/Reject: the Follow's actor. Undo: the undone activity's type.
    public var relatedActorURI: String?
    public var to: [String]
    public var cc: [String]
    /// False for activities kept only to be served (never delivered).
    public var deliver: Bool
    /// Flag: the reported posts (the reported actor is `objectURI`).
    public var objectURIs: [String] = []
    /// Flag: the report's comment.
    public var content: String?
    /// Inboxes it goes to beyond its addressees (a Delete: those who boosted the post and the
    /// followers of theirs known here, as Mastodon reaches them).
    public var extraInboxes: [String] = []
    /// A forwarded activity: another actor's JSON, sent verbatim to `extraInboxes` and signed
    /// (HTTP) by this activity's account.
    public var forwardedPayload: String?

    public init(
        uri: String? = nil, accountID: Int64, kind: Kind, objectURI: String? = nil, statusID: Int64? = nil, targetAccountID: Int64? = nil,
        relatedURI: String? = nil, relatedActorURI: String? = nil, to: [String] = [], cc: [String] = [], deliver: Bool = true
    ) {
        self.uri = uri
        self.accountID = accountID
        self.kind = kind
        self.objectURI = objectURI
        self.statusID = statusID
        self.targetAccountID = targetAccountID
        self.relatedURI = relatedURI
        self.relatedActorURI = relatedActorURI
        self.to = to
        self.cc = cc
        self.deliver = deliver
    }
}

/// A published activity as stored.
public struct PublishedActivity: Sendable, Equatable {
    public var id: Int64
    public var uri: String
    public var activity: OutgoingActivity
    public var payload: String?
    public var createdAt: Date

    public init(id: Int64, uri: String, activity: OutgoingActivity, payload: String?, createdAt: Date) {
        self.id = id
        self.uri = uri
        self.activity = activity
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// An incoming activity waiting in (or taken from) the durable inbox queue.
public struct InboxItem: Sendable, Equatable {
    public var id: Int64
    public var activityURI: String
    public var activityType: String
    public var actorURI: String
    public var recipientAccountID: Int64?
    public var payload: String
    public var attempts: Int

    public init(id: Int64, activityURI: String, activityType: String, actorURI: String, recipientAccountID: Int64?, payload: String, attempts: Int) {
        self.id = id
        self.activityURI = activityURI
        self.activityType = activityType
        self.actorURI = actorURI
        self.recipientAccountID = recipientAccountID
        self.payload = payload
        self.attempts = attempts
    }
}

public enum DeliveryState: String, Sendable, CaseIterable {
    case pending, delivered, dead
}

/// One POST of one activity to one inbox.
public struct Delivery: Sendable, Equatable {
    public var id: Int64
    public var activityID: Int64
    public var activityURI: String
    public var inboxURI: String
    public var host: String
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastStatus: Int?
    public var lastError: String?
    /// The account whose key signs the POST.
    public var signerAccountID: Int64
    /// Signed by the node's application actor instead (Flags, which speak for the node).
    public var signedByApplication: Bool = false
    public var payload: String
    public var createdAt: Date

    public init(
        id: Int64, activityID: Int64, activityURI: String, inboxURI: String, host: String, state: DeliveryState, attempts: Int,
        nextAttemptAt: Date, lastStatus: Int?, lastError: String?, signerAccountID: Int64, payload: String, createdAt: Date
    ) {
        self.id = id
        self.activityID = activityID
        self.activityURI = activityURI
        self.inboxURI = inboxURI
        self.host = host
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.signerAccountID = signerAccountID
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// What the node knows about remote actors.
public protocol RemoteAccountRepository: Sendable {
    func account(id: Int64) async throws -> Account?
    /// The accounts with these ids that exist, in no particular order (one query for a page).
    func accounts(ids: [Int64]) async throws -> [Account]
    func account(uri: String) async throws -> Account?
    func accounts(uris: [String]) async throws -> [Account]
    func account(publicKeyID: String) async throws -> Account?
    func remoteAccount(username: String, domain: String) async throws -> Account?
    /// When the remote actor's document was last fetched (nil: never, or local).
    func fetchedAt(uri: String) async throws -> Date?
    /// Inserts or refreshes a remote actor (keyed by its id).
    func upsertRemote(_ actor: RemoteActor) async throws -> Account
    /// Removes a remote actor and everything of theirs (Delete of an actor).
    func deleteRemote(uri: String) async throws
    /// The private key of a local account, for signing its deliveries.
    func privateKeyPEM(accountID: Int64) async throws -> String?
    /// Changes a local profile and records the Update to deliver, in one transaction.
    func updateLocalProfile(accountID: Int64, _ change: ProfileChange, publish: OutgoingActivity) async throws -> Account
}

/// What a profile update changes; nil leaves a value as it is.
public struct ProfileChange: Sendable, Equatable {
    public var displayName: String?
    /// HTML.
    public var note: String?
    public var locked: Bool?
    public var discoverable: Bool?
    public var fields: [ProfileField]?

    public init(displayName: String? = nil, note: String? = nil, locked: Bool? = nil, discoverable: Bool? = nil, fields: [ProfileField]? = nil) {
        self.displayName = displayName
        self.note = note
        self.locked = locked
        self.discoverable = discoverable
        self.fields = fields
    }
}

/// A mute in force: whether notifications are hidden too, and when it ends (nil: never).
public struct Mute: Sendable, Equatable {
    public var hideNotifications: Bool
    public var expiresAt: Date?

    public init(hideNotifications: Bool, expiresAt: Date?) {
        self.hideNotifications = hideNotifications
        self.expiresAt = expiresAt
    }
}

/// Follows and blocks.
public protocol SocialGraphRepository: Sendable {
    /// Inserts or updates the follow from `accountID` to `targetAccountID`; `publish` (an
    /// outgoing Follow, or the Accept of an incoming one) is recorded in the same transaction.
    func upsertFollow(accountID: Int64, targetAccountID: Int64, uri: String?, state: FollowState, publish: OutgoingActivity?) async throws -> Follow
    func findFollow(uri: String) async throws -> Follow?
    func findFollow(accountID: Int64, targetAccountID: Int64) async throws -> Follow?
    func setFollowState(id: Int64, state: FollowState, publish: OutgoingActivity?) async throws
    /// Deletes the follow, if any, and records `publish` (Undo or Reject); returns the removed follow.
    func removeFollow(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws -> Follow?
    /// Followers (or followed accounts), newest follow first, with the follow's id for paging.
    func followers(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)]
    func following(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)]
    func followCounts(of accountID: Int64) async throws -> (followers: Int, following: Int)
    /// Followers, followed accounts and posts of each account, in one query (for a page of
    /// entities); accounts without any are absent or zero.
    func accountCounts(ids: [Int64]) async throws -> [Int64: AccountCounts]
    /// The accounts with these ids or URIs, each with its counts, in one query (a page's
    /// authors and the accounts its posts mention).
    func accountsWithCounts(ids: [Int64], uris: [String]) async throws -> [(account: Account, counts: AccountCounts)]
    /// Distinct inboxes (shared inbox where the actor has one) of the remote accepted followers.
    func followerInboxes(of accountID: Int64) async throws -> [String]
    /// Records a block and severs follows both ways.
    func block(accountID: Int64, targetAccountID: Int64, uri: String?, publish: OutgoingActivity?) async throws
    func unblock(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws
    func isBlocking(accountID: Int64, targetAccountID: Int64) async throws -> Bool
    /// Mutes (or re-mutes with new terms); local only, never federated.
    func mute(accountID: Int64, targetAccountID: Int64, _ mute: Mute) async throws
    func unmute(accountID: Int64, targetAccountID: Int64) async throws
    /// The mute in force, if any (expired mutes do not count).
    func mute(accountID: Int64, targetAccountID: Int64) async throws -> Mute?
    /// Turns the follower's notifications of new posts on or off (no-op without a follow).
    func setNotify(accountID: Int64, targetAccountID: Int64, notify: Bool) async throws
    /// Accounts blocked or muted by `accountID`, newest first, with the entry's id for paging.
    func blockedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)]
    func mutedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)]
}

public struct AccountCounts: Sendable, Equatable {
    public var followers: Int
    public var following: Int
    public var statuses: Int

    public init(followers: Int = 0, following: Int = 0, statuses: Int = 0) {
        self.followers = followers
        self.following = following
        self.statuses = statuses
    }
}

public struct StatusCounts: Sendable, Equatable {
    public var favourites: Int
    public var reblogs: Int
    public var replies: Int

    public init(favourites: Int = 0, reblogs: Int = 0, replies: Int = 0) {
        self.favourites = favourites
        self.reblogs = reblogs
        self.replies = replies
    }
}

/// Posts, likes and boosts.
public protocol StatusRepository: Sendable {
    /// A fresh time-sortable id, to name a post before it is stored.
    func nextID() async throws -> Int64
    /// Inserts a post (ignored when its uri exists or was deleted); returns the stored row and
    /// whether it was new. `publish` is recorded in the same transaction.
    func insert(_ status: Status, publish: OutgoingActivity?) async throws -> (status: Status, inserted: Bool)
    func status(id: Int64) async throws -> Status?
    /// The posts with these ids that exist, in no particular order.
    func statuses(ids: [Int64]) async throws -> [Status]
    /// The accounts that boosted post `statusID`.
    func boosterIDs(of statusID: Int64) async throws -> [Int64]
    func status(uri: String) async throws -> Status?
    /// Replaces content, spoiler, sensitivity and tags of an existing post.
    func update(_ status: Status, publish: OutgoingActivity?) async throws
    /// Deletes a post, leaves a tombstone, records `publish`.
    func delete(id: Int64, publish: OutgoingActivity?) async throws
    func isTombstoned(uri: String) async throws -> Bool
    func favourite(accountID: Int64, statusID: Int64, uri: String?, publish: OutgoingActivity?) async throws -> Bool
    func unfavourite(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool
    func findFavourite(uri: String) async throws -> (accountID: Int64, statusID: Int64)?
    /// Counts of favourites, boosts and replies.
    func counts(statusID: Int64) async throws -> (favourites: Int, reblogs: Int, replies: Int)
    /// The same counts for a page of posts, in one query.
    func counts(statusIDs: [Int64]) async throws -> [Int64: StatusCounts]
    /// An account's own posts and boosts, newest first (for the outbox collection); `federated`
    /// leaves local-only ones out.
    func statuses(accountID: Int64, limit: Int, maxID: Int64?, visibilities: [Visibility], federated: Bool) async throws -> [Status]
    func countStatuses(accountID: Int64, visibilities: [Visibility], federated: Bool) async throws -> Int
    /// Pins a post to its author's profile (false when it already was); `publish` (Add) is
    /// recorded in the same transaction.
    func pin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool
    /// Unpins (false when it was not pinned); `publish` (Remove) recorded with it.
    func unpin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool
    /// An account's pinned posts, most recently pinned first.
    func pinnedStatuses(accountID: Int64) async throws -> [Status]
    /// The account's boost of a post, if any.
    func reblog(accountID: Int64, of statusID: Int64) async throws -> Status?
}

/// The durable queues: incoming activities, the outbox and its deliveries.
public protocol ActivityQueueRepository: Sendable {
    /// Stores an incoming activity unless one with the same id was stored before; returns
    /// whether it was new.
    func enqueueInbox(activityURI: String, type: String, actorURI: String, recipientAccountID: Int64?, payload: String) async throws -> Bool
    /// Takes up to `limit` due items, leasing them for `lease`.
    func claimInbox(limit: Int, lease: Duration) async throws -> [InboxItem]
    /// Ends every lease on pending inbox items or deliveries (taken by a process that died), so
    /// they are due at once; returns how many. Only for a process that alone works the queues.
    func releaseLeases(inbox: Bool) async throws -> Int
    /// Marks items processed, one statement for a batch. An item processed but not yet marked
    /// when the process dies is processed again after its lease: handlers are idempotent.
    func completeInbox(ids: [Int64]) async throws
    /// Records a failure; retries at `retryAt`, or gives up (`failed`) when nil.
    func failInbox(id: Int64, error: String, retryAt: Date?) async throws

    /// Records an activity to publish on its own (no other write with it).
    func publish(_ activity: OutgoingActivity) async throws -> PublishedActivity
    func findActivity(uri: String) async throws -> PublishedActivity?
    func findActivity(id: Int64) async throws -> PublishedActivity?
    /// Takes one activity awaiting fan-out and, in one transaction, stores what `render`
    /// returns: the JSON payload and the inboxes to deliver to. Returns false when none waits.
    func fanOutNext(_ render: @Sendable (PublishedActivity) async throws -> (payload: String, inboxes: [String])) async throws -> Bool

    func claimDeliveries(limit: Int, lease: Duration) async throws -> [Delivery]
    /// Marks a batch of deliveries done with the status each got, in one statement. One
    /// delivered but not marked when the process dies is sent again after its lease (peers
    /// drop activities they have seen by id).
    func markDelivered(_ delivered: [(id: Int64, status: Int)]) async throws
    func scheduleRetry(id: Int64, at: Date, status: Int?, error: String) async throws
    func markDead(id: Int64, status: Int?, error: String) async throws
    func deliveries(state: DeliveryState?, limit: Int) async throws -> [Delivery]
    /// Makes a delivery due now (a dead one pending again) and writes `audit` (its before and
    /// after filled in) in the same transaction; nil when there is no such delivery or it was
    /// delivered.
    func retryDelivery(id: Int64, audit: AuditRecord) async throws -> Delivery?
}

/// Mastodon's pagination: `max_id` (older than), `since_id` (newer than, newest first),
/// `min_id` (just newer than, oldest first), `limit`.
public struct PageRequest: Sendable, Equatable {
    public var maxID: Int64?
    public var sinceID: Int64?
    public var minID: Int64?
    public var limit: Int

    public init(maxID: Int64? = nil, sinceID: Int64? = nil, minID: Int64? = nil, limit: Int = 20) {
        self.maxID = maxID
        self.sinceID = sinceID
        self.minID = minID
        self.limit = limit
    }
}

/// What a page shows of a post besides the post: its counts, what the viewer did to it, and
/// the author of the post it answers.
public struct StatusDetails: Sendable, Equatable {
    public var counts: StatusCounts
    public var favourited: Bool
    public var reblogged: Bool
    public var bookmarked: Bool
    public var pinned: Bool
    public var parentAccountID: Int64?

    public init(
        counts: StatusCounts = StatusCounts(), favourited: Bool = false, reblogged: Bool = false, bookmarked: Bool = false,
        pinned: Bool = false, parentAccountID: Int64? = nil
    ) {
        self.counts = counts
        self.favourited = favourited
        self.reblogged = reblogged
        self.bookmarked = bookmarked
        self.pinned = pinned
        self.parentAccountID = parentAccountID
    }
}

/// What the client API reads: timelines, threads, and what one viewer did to posts.
public protocol TimelineRepository: Sendable {
    /// Posts of the accounts `accountID` follows and its own, that it may see; newest first.
    func homeTimeline(accountID: Int64, page: PageRequest) async throws -> [Status]
    /// The accounts whose posts can be in `accountID`'s home timeline: the accounts it follows
    /// (accepted) and itself.
    func homeSources(accountID: Int64) async throws -> [Int64]
    /// Public posts (only local or only remote ones when `local` is set); newest first.
    /// Authors the viewer blocked or muted are left out.
    func publicTimeline(local: Bool?, viewerID: Int64?, page: PageRequest) async throws -> [Status]
    /// An account's posts and boosts that `viewerID` may see; newest first.
    func accountTimeline(accountID: Int64, viewerID: Int64?, excludeReplies: Bool, page: PageRequest) async throws -> [Status]
    /// The ancestors (oldest first) and descendants of a post.
    func context(statusID: Int64) async throws -> (ancestors: [Status], descendants: [Status])
    func bookmark(accountID: Int64, statusID: Int64) async throws
    func unbookmark(accountID: Int64, statusID: Int64) async throws
    /// Each post's counts, whether the viewer favourited, boosted, bookmarked or pinned it, and
    /// the author of the post it answers, in one query for a page.
    func details(viewerID: Int64, statusIDs: [Int64]) async throws -> [Int64: StatusDetails]
    /// Posts the account favourited or bookmarked, newest mark first, with the mark's id for paging.
    func favourited(accountID: Int64, page: PageRequest) async throws -> [(markID: Int64, status: Status)]
    func bookmarked(accountID: Int64, page: PageRequest) async throws -> [(markID: Int64, status: Status)]
    /// Accounts that favourited or boosted a post.
    func favouritedBy(statusID: Int64, limit: Int) async throws -> [Account]
    func rebloggedBy(statusID: Int64, limit: Int) async throws -> [Account]
    /// Accounts whose username or display name starts with `query` (case-insensitive), local first.
    /// Secret groups appear only to their members.
    func searchAccounts(_ query: String, viewerID: Int64?, limit: Int) async throws -> [Account]
    /// Public posts containing `query`, newest first.
    func searchStatuses(_ query: String, limit: Int) async throws -> [Status]
    /// Hashtags starting with `query`, with how many posts use them.
    func searchTags(_ query: String, limit: Int) async throws -> [(name: String, uses: Int)]
    /// Public posts tagged `tag`, newest first.
    func tagTimeline(_ tag: String, local: Bool?, viewerID: Int64?, page: PageRequest) async throws -> [Status]
    /// Domains of the remote nodes this node knows accounts of.
    func peers() async throws -> [String]
    /// Markers: timeline name → (last read id, version, updated).
    func markers(accountID: Int64) async throws -> [String: (lastReadID: Int64, version: Int, updatedAt: Date)]
    func setMarker(accountID: Int64, timeline: String, lastReadID: Int64) async throws
    func idempotentStatus(accountID: Int64, key: String) async throws -> Int64?
    func recordIdempotency(accountID: Int64, key: String, statusID: Int64) async throws
}

/// Something a local account is told about.
/// What a notification tells of (Mastodon's notification types). Who gets which is
/// `NotificationRules`' (Core) to say.
public enum NotificationType: String, Sendable, CaseIterable, Codable {
    /// A new post mentions the account.
    case mention
    /// A new post by an account it follows and asked to hear of (`notify`).
    case status
    /// Its post was boosted.
    case reblog
    /// Its post was favourited.
    case favourite
    /// It has a new follower.
    case follow
    /// Someone asks to follow it (a locked account).
    case followRequest = "follow_request"
    /// A post it boosted was edited.
    case update
}

public struct Notification: Sendable, Equatable {
    public var id: Int64
    public var type: NotificationType
    public var fromAccountID: Int64
    public var statusID: Int64?
    public var createdAt: Date

    public init(id: Int64, type: NotificationType, fromAccountID: Int64, statusID: Int64?, createdAt: Date) {
        self.id = id
        self.type = type
        self.fromAccountID = fromAccountID
        self.statusID = statusID
        self.createdAt = createdAt
    }
}

public protocol NotificationRepository: Sendable {
    /// Newest first; `types` keeps only those, `excludeTypes` drops those.
    func notifications(accountID: Int64, types: [String], excludeTypes: [String], page: PageRequest) async throws -> [Notification]
    func notification(id: Int64, accountID: Int64) async throws -> Notification?
    func clearNotifications(accountID: Int64) async throws
    func dismissNotification(id: Int64, accountID: Int64) async throws -> Bool
}
