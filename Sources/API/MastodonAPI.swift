import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// What the Mastodon API's route collections share: the services and repositories behind
/// them, the lookups that apply the node's visibility rule (`MastodonAPI.swift`), the entities
/// (`+Rendering`), paging (`+Paging`) and the page cache (`CachedPages.swift`). Who is asking is
/// in the request context (`Authentication.swift`).
public struct MastodonAPI: Sendable {
    public struct Dependencies: Sendable {
        public var social: SocialService
        public var accounts: any RemoteAccountRepository
        public var graph: any SocialGraphRepository
        public var statuses: any StatusRepository
        public var timelines: any TimelineRepository
        public var notifications: any NotificationRepository
        public var directory: any ActorDirectory
        public var posts: any PostResolver
        public var localAccounts: any AccountRepository
        public var node: NodeIdentity
        /// Turns text into posts (and edits), as C2S does.
        public var composer: PostComposer
        /// Without a token the API shows nothing but the instance (the default); with the wall
        /// down, public posts, accounts and timelines are readable anonymously, as on Mastodon.
        public var loginWall = true
        /// Rendered home timeline pages by reader and query (nil: every page is rendered anew).
        public var pages: StampedCache<String, CachedPage>?

        public init(
            social: SocialService, accounts: any RemoteAccountRepository, graph: any SocialGraphRepository,
            statuses: any StatusRepository, timelines: any TimelineRepository, notifications: any NotificationRepository,
            directory: any ActorDirectory, posts: any PostResolver, localAccounts: any AccountRepository, node: NodeIdentity,
            composer: PostComposer
        ) {
            self.social = social
            self.accounts = accounts
            self.graph = graph
            self.statuses = statuses
            self.timelines = timelines
            self.notifications = notifications
            self.directory = directory
            self.posts = posts
            self.localAccounts = localAccounts
            self.node = node
            self.composer = composer
        }
    }

    public let d: Dependencies
    static let json = "application/json; charset=utf-8"

    public init(_ dependencies: Dependencies) {
        self.d = dependencies
    }

    // MARK: Lookups

    /// Who reads public content: the signed-in account, or, with the login wall down and no
    /// token given, an anonymous reader who follows no one and sees public and unlisted posts only.
    func reader(_ context: AppRequestContext, scope: String) throws -> Account {
        if !d.loginWall, context.anonymous { return Self.anonymous }
        return try context.user(scope: scope)
    }

    static let anonymous = Account(
        id: -1, username: "", domain: nil, displayName: "", uri: "", url: nil, inboxURI: "", sharedInboxURI: nil, publicKeyPEM: "", role: .user,
        email: nil, createdAt: .distantPast)

    /// The account named by the path's id (404 when there is none).
    func account(_ context: AppRequestContext) async throws -> Account {
        guard let account = try await d.accounts.account(id: try Self.pathID(context)) else { throw KithError(.notFound, "Record not found") }
        return account
    }

    /// An account by `user`, `user@domain` or `@user@domain`, known to this node (404 otherwise).
    func lookup(_ acct: String) async throws -> Account {
        var reference = acct.hasPrefix("@") ? String(acct.dropFirst()) : acct
        if !reference.contains("@") { reference += "@" + d.node.domain }
        let parts = reference.split(separator: "@")
        if parts.count == 2, String(parts[1]).lowercased() == d.node.domain {
            guard let local = try await d.localAccounts.findLocal(username: String(parts[0])) else { throw KithError(.notFound, "Record not found") }
            return local
        }
        if parts.count == 2, let cached = try await d.accounts.remoteAccount(username: String(parts[0]), domain: String(parts[1])) {
            return cached
        }
        throw KithError(.notFound, "Record not found")
    }

    /// A status the viewer may see (404 otherwise, as Mastodon hides what you cannot see).
    func visibleStatus(_ context: AppRequestContext, viewer: Account) async throws -> Status {
        guard let status = try await d.statuses.status(id: try Self.pathID(context)),
            try await canSee(status, viewer: viewer), try await d.accounts.account(id: status.accountID)?.suspended == false
        else {
            throw KithError(.notFound, "Record not found")
        }
        return status
    }

    /// Of `statuses`, those the viewer may see, by authors not suspended.
    func visible(_ statuses: [Status], to viewer: Account) async throws -> [Status] {
        var result: [Status] = []
        for status in statuses where try await canSee(status, viewer: viewer) {
            if try await d.accounts.account(id: status.accountID)?.suspended == false { result.append(status) }
        }
        return result
    }

    /// The node's one visibility rule (Core's `VisibilityPolicy`), for a signed-in or anonymous viewer.
    func canSee(_ status: Status, viewer: Account) async throws -> Bool {
        try await VisibilityPolicy(graph: d.graph).canSee(status, viewer: viewer.id == Self.anonymous.id ? nil : viewer)
    }

    /// A secret group, to someone who is not a member of it.
    func concealed(_ account: Account, from viewer: Account) async throws -> Bool {
        guard account.isConcealedGroup else { return false }
        return try await d.graph.findFollow(accountID: viewer.id, targetAccountID: account.id)?.state != .accepted
    }

    /// Accounts for a search: `user@domain` exactly (fetched through WebFinger when `resolve`),
    /// anything else by username or display-name prefix.
    func findAccounts(_ query: String, resolve: Bool, limit: Int, viewer: Account) async throws -> [Account] {
        let acct = query.hasPrefix("@") ? String(query.dropFirst()) : query
        guard acct.split(separator: "@").count == 2 else { return try await d.timelines.searchAccounts(acct, viewerID: viewer.id, limit: limit) }
        guard let found = try? await (resolve ? d.directory.resolve(acct) : lookup(acct)), try await !concealed(found, from: viewer) else {
            return []
        }
        return [found]
    }
}
