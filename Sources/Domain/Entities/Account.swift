import struct Foundation.Date

/// What a local account may do on its node. `owner` is the node's first admin and cannot be
/// demoted by other admins; moderation rights grow from `user` to `owner`.
public enum Role: String, Sendable, CaseIterable, Codable {
    case user, moderator, admin, owner
}

/// A local or remote ActivityPub actor as the node stores it. `domain == nil` means local.
public struct Account: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var username: String
    public var domain: String?
    public var displayName: String
    public var actorType: String
    /// The ActivityPub id of the actor.
    public var uri: String
    public var url: String?
    public var inboxURI: String
    public var sharedInboxURI: String?
    public var publicKeyPEM: String
    public var role: Role
    public var email: String?
    public var createdAt: Date
    /// The profile text (HTML).
    public var note: String = ""
    /// Follow requests need approval (`manuallyApprovesFollowers`).
    public var locked: Bool = false
    public var discoverable: Bool = true
    public var avatarURL: String? = nil
    public var publicKeyID: String = ""
    public var outboxURI: String? = nil
    public var followersURI: String? = nil
    public var followingURI: String? = nil
    public var featuredURI: String? = nil
    /// Profile fields (Mastodon's `fields`, ActivityPub `PropertyValue` attachments).
    public var fields: [ProfileField] = []
    /// Moderation: cannot sign in, posts hidden, (remote) nothing accepted from it.
    public var suspended = false
    /// Moderation: posts kept out of public timelines.
    public var silenced = false
    /// Moderation: a local account that cannot sign in.
    public var disabled = false

    public init(
        id: Int64, username: String, domain: String?, displayName: String, actorType: String = "Person",
        uri: String, url: String?, inboxURI: String, sharedInboxURI: String?, publicKeyPEM: String,
        role: Role, email: String?, createdAt: Date
    ) {
        self.id = id
        self.username = username
        self.domain = domain
        self.displayName = displayName
        self.actorType = actorType
        self.uri = uri
        self.url = url
        self.inboxURI = inboxURI
        self.sharedInboxURI = sharedInboxURI
        self.publicKeyPEM = publicKeyPEM
        self.role = role
        self.email = email
        self.createdAt = createdAt
        self.publicKeyID = uri + "#main-key"
    }

    public var isLocal: Bool { domain == nil }
    /// A group that is not listed (a secret one): not found by WebFinger or search by non-members.
    public var isConcealedGroup: Bool { actorType == "Group" && !discoverable }
    /// `user` for local accounts, `user@domain` for remote ones (Mastodon's `acct`).
    public var acct: String { domain.map { "\(username)@\($0)" } ?? username }
}

/// A name/value pair on a profile. `name` is plain text, `value` HTML; `source` keeps the
/// plain text a local owner typed (what `update_credentials` shows back).
public struct ProfileField: Sendable, Equatable {
    public var name: String
    public var value: String
    public var source: String?

    public init(name: String, value: String, source: String? = nil) {
        self.name = name
        self.value = value
        self.source = source
    }

    /// Mastodon's limits: 4 fields, 255 characters per name and per value.
    public static let maxCount = 4
    public static let maxLength = 255
}

/// Everything needed to insert a new local account.
public struct NewLocalAccount: Sendable {
    public var username: Username
    public var email: String
    public var role: Role
    public var passwordHash: String
    public var publicKeyPEM: String
    public var privateKeyPEM: String
    /// The node's public base URL, e.g. `https://social.example.com`, without trailing slash.
    public var baseURL: String

    public init(
        username: Username, email: String, role: Role, passwordHash: String, publicKeyPEM: String,
        privateKeyPEM: String, baseURL: String
    ) {
        self.username = username
        self.email = email
        self.role = role
        self.passwordHash = passwordHash
        self.publicKeyPEM = publicKeyPEM
        self.privateKeyPEM = privateKeyPEM
        self.baseURL = baseURL
    }

    public var actorURI: String { "\(baseURL)/users/\(username.value)" }
    public var profileURL: String { "\(baseURL)/@\(username.value)" }
    public var inboxURI: String { "\(actorURI)/inbox" }
    public var sharedInboxURI: String { "\(baseURL)/inbox" }
}
