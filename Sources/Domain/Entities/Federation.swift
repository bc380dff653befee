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

/// Something a local account is told about.
/// What a notification tells of (Mastodon's notification types). Who gets which is
/// `NotificationRules`' (Core) to say.
public enum NotificationType: String, Sendable, CaseIterable {
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
