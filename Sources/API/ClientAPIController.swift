import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// The Mastodon client API for accounts, statuses and timelines.
public struct ClientAPIController: Sendable {
    public struct Dependencies: Sendable {
        public var oauth: OAuthService
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
            oauth: OAuthService, social: SocialService, accounts: any RemoteAccountRepository, graph: any SocialGraphRepository,
            statuses: any StatusRepository, timelines: any TimelineRepository, notifications: any NotificationRepository,
            directory: any ActorDirectory, posts: any PostResolver, localAccounts: any AccountRepository, node: NodeIdentity,
            composer: PostComposer
        ) {
            self.oauth = oauth
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

    // MARK: Routes

    public func addRoutes(to router: Router<AppRequestContext>) {
        addNotificationRoutes(to: router)
        addListRoutes(to: router)
        router.post("/api/v1/statuses") { request, _ in
            let (token, account) = try await self.user(request, scope: "write:statuses")
            return try await self.createStatus(request, token: token, account: account)
        }
        router.get("/api/v1/statuses/:id") { request, context in
            let viewer = try await self.reader(request, scope: "read:statuses")
            return self.respond(try await self.statusEntity(try await self.visibleStatus(context, viewer: viewer), viewer: viewer))
        }
        router.delete("/api/v1/statuses/:id") { request, context in
            let (_, viewer) = try await self.user(request, scope: "write:statuses")
            let status = try await self.visibleStatus(context, viewer: viewer)
            guard status.accountID == viewer.id else { throw KithError(.notFound, "Record not found") }
            var entity = try await self.statusEntity(status, viewer: viewer)
            try await self.d.social.delete(accountID: viewer.id, statusID: status.id)
            if case .object(var object) = entity {
                object["text"] = .string(status.content)
                entity = .object(object)
            }
            return self.respond(entity)
        }
        router.put("/api/v1/statuses/:id") { request, context in
            let (_, viewer) = try await self.user(request, scope: "write:statuses")
            let status = try await self.visibleStatus(context, viewer: viewer)
            guard status.accountID == viewer.id, status.reblogOfID == nil else { throw KithError(.notFound, "Record not found") }
            let parameters = try await RequestParameters.parse(request)
            let edited = try await self.d.composer.edit(
                status, text: parameters["status"] ?? "", spoilerText: parameters["spoiler_text"], sensitive: parameters.flag("sensitive"),
                language: parameters["language"].flatMap { $0.isEmpty ? nil : $0 }, by: viewer)
            return self.respond(try await self.statusEntity(edited, viewer: viewer))
        }
        router.get("/api/v1/statuses/:id/context") { request, context in
            let viewer = try await self.reader(request, scope: "read:statuses")
            return try await self.cachedPage(request, viewer: viewer) {
                let status = try await self.visibleStatus(context, viewer: viewer)
                let (ancestors, descendants) = try await self.d.timelines.context(statusID: status.id)
                let up = try await self.statusPage(try await self.visible(ancestors, to: viewer), request: request, viewer: viewer, paged: false)
                let down = try await self.statusPage(try await self.visible(descendants, to: viewer), request: request, viewer: viewer, paged: false)
                // A new reply anywhere in the thread names its parent, one of these posts.
                return BuiltPage(
                    body: ["ancestors": up.body, "descendants": down.body], link: nil,
                    sources: PageSources(
                        accounts: up.sources.accounts + down.sources.accounts + [status.accountID],
                        statuses: up.sources.statuses + down.sources.statuses + [status.id] + ancestors.map(\.id) + descendants.map(\.id)))
            }
        }
        router.post("/api/v1/statuses/:id/favourite") { request, context in try await self.statusAction(.favourite, request, context) }
        router.post("/api/v1/statuses/:id/unfavourite") { request, context in try await self.statusAction(.unfavourite, request, context) }
        router.post("/api/v1/statuses/:id/reblog") { request, context in try await self.statusAction(.reblog, request, context) }
        router.post("/api/v1/statuses/:id/unreblog") { request, context in try await self.statusAction(.unreblog, request, context) }
        router.post("/api/v1/statuses/:id/bookmark") { request, context in try await self.statusAction(.bookmark, request, context) }
        router.post("/api/v1/statuses/:id/unbookmark") { request, context in try await self.statusAction(.unbookmark, request, context) }
        router.post("/api/v1/statuses/:id/pin") { request, context in try await self.statusAction(.pin, request, context) }
        router.post("/api/v1/statuses/:id/unpin") { request, context in try await self.statusAction(.unpin, request, context) }
        router.get("/api/v1/timelines/home") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "read:statuses")
            return try await self.homePage(request, viewer: viewer)
        }
        router.get("/api/v1/timelines/public") { request, _ in
            let viewer = try await self.reader(request, scope: "read:statuses")
            return try await self.cachedPage(request, viewer: viewer) {
                let statuses = try await self.d.timelines.publicTimeline(local: Self.localOnly(request), viewerID: viewer.id, page: try Self.page(request))
                var page = try await self.statusPage(statuses, request: request, viewer: viewer)
                page.sources.statuses.append(PageSources.publicPosts)
                return page
            }
        }
        router.get("/api/v1/accounts/lookup") { request, _ in
            let viewer = try await self.reader(request, scope: "read:accounts")
            guard let acct = request.uri.queryParameters["acct"].map(String.init), !acct.isEmpty else {
                throw KithError(.invalidInput, "acct is required")
            }
            let found = try await self.lookup(acct)
            if try await self.concealed(found, from: viewer) { throw KithError(.notFound, "Record not found") }
            return self.respond(try await self.accountEntity(found, viewer: viewer))
        }
        router.get("/api/v1/accounts/relationships") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "read:follows")
            let parameters = try await RequestParameters.parse(request)
            var result: [JSONValue] = []
            for id in parameters.list("id") {
                if let accountID = Int64(id), let account = try await self.d.accounts.account(id: accountID) {
                    result.append(try await self.relationship(viewer: viewer, account: account))
                }
            }
            return self.respond(.array(result))
        }
        router.get("/api/v1/accounts/:id") { request, context in
            let viewer = try await self.reader(request, scope: "read:accounts")
            let account = try await self.account(context)
            if try await self.concealed(account, from: viewer) { throw KithError(.notFound, "Record not found") }
            return self.respond(try await self.accountEntity(account, viewer: viewer))
        }
        router.get("/api/v1/accounts/:id/statuses") { request, context in
            let viewer = try await self.reader(request, scope: "read:statuses")
            return try await self.cachedPage(request, viewer: viewer) {
                let account = try await self.account(context)
                let query = request.uri.queryParameters
                var page: BuiltPage
                if RequestParameters.truthy(query["pinned"]) {
                    var pinned: [Status] = []
                    for status in try await self.d.statuses.pinnedStatuses(accountID: account.id) where try await self.canSee(status, viewer: viewer) {
                        pinned.append(status)
                    }
                    page = try await self.statusPage(pinned, request: request, viewer: viewer, paged: false)
                } else if RequestParameters.truthy(query["only_media"]) {
                    page = try await self.statusPage([], request: request, viewer: viewer)  // posts carry no media yet
                } else {
                    let statuses = try await self.d.timelines.accountTimeline(
                        accountID: account.id, viewerID: viewer.id, excludeReplies: RequestParameters.truthy(query["exclude_replies"]),
                        page: try Self.page(request))
                    page = try await self.statusPage(statuses, request: request, viewer: viewer)
                }
                // Its new posts, pins and profile changes name the account.
                page.sources.accounts.append(account.id)
                return page
            }
        }
        router.post("/api/v1/accounts/:id/follow") { request, context in try await self.followAction(follow: true, request, context) }
        router.post("/api/v1/accounts/:id/unfollow") { request, context in try await self.followAction(follow: false, request, context) }
    }

    /// What a reader does to a post through `/api/v1/statuses/:id/<action>`.
    enum StatusAction {
        case favourite, unfavourite, reblog, unreblog, bookmark, unbookmark, pin, unpin

        /// The scope the token needs.
        var scope: String {
            switch self {
            case .favourite, .unfavourite: "write:favourites"
            case .reblog, .unreblog: "write:statuses"
            case .bookmark, .unbookmark: "write:bookmarks"
            case .pin, .unpin: "write:accounts"
            }
        }
    }

    /// Favourite, boost, bookmark or pin a post the reader can see (a boost's original for the
    /// first three), or undo it; answers the post as it is now.
    func statusAction(_ action: StatusAction, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, viewer) = try await user(request, scope: action.scope)
        let status = try await visibleStatus(context, viewer: viewer)
        let target = status.reblogOfID ?? status.id
        switch action {
        case .favourite: try await d.social.like(accountID: viewer.id, statusID: target)
        case .unfavourite: try await d.social.unlike(accountID: viewer.id, statusID: target)
        case .reblog:
            let reblog = try await d.social.boost(accountID: viewer.id, statusID: target)
            return respond(try await statusEntity(reblog, viewer: viewer))
        case .unreblog: try await d.social.unboost(accountID: viewer.id, statusID: target)
        case .bookmark: try await d.timelines.bookmark(accountID: viewer.id, statusID: target)
        case .unbookmark: try await d.timelines.unbookmark(accountID: viewer.id, statusID: target)
        case .pin: try await d.social.pin(accountID: viewer.id, statusID: status.id)
        case .unpin: try await d.social.unpin(accountID: viewer.id, statusID: status.id)
        }
        guard let fresh = try await d.statuses.status(id: target) else { throw KithError(.notFound, "Record not found") }
        return respond(try await statusEntity(fresh, viewer: viewer))
    }

    /// Follow or unfollow an account; answers the relationship.
    func followAction(follow: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:follows", request, context) { viewer, account in
            guard account.id != viewer.id else { throw KithError(.unprocessable, "You cannot follow yourself") }
            guard follow else { return try await d.social.unfollow(accountID: viewer.id, targetAccountID: account.id) }
            _ = try await d.social.follow(accountID: viewer.id, account.uri)
            // notify=true: hear of each new post of the account (a `status` notification).
            if let notify = try await RequestParameters.parse(request)["notify"] {
                try await d.graph.setNotify(accountID: viewer.id, targetAccountID: account.id, notify: RequestParameters.truthy(notify))
            }
        }
    }

    public func addNotificationRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/notifications") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "read:notifications")
            let parameters = try await RequestParameters.parse(request)
            let page = try Self.page(request)
            let notifications = try await self.d.notifications.notifications(
                accountID: viewer.id, types: parameters.list("types"), excludeTypes: parameters.list("exclude_types"), page: page)
            var entities: [JSONValue] = []
            for notification in notifications {
                if let entity = try await self.notificationEntity(notification, viewer: viewer) { entities.append(entity) }
            }
            return self.respond(.array(entities), headers: self.link(request, first: notifications.first?.id, last: notifications.last?.id))
        }
        router.post("/api/v1/notifications/clear") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "write:notifications")
            try await self.d.notifications.clearNotifications(accountID: viewer.id)
            return self.respond([:])
        }
        router.get("/api/v1/notifications/:id") { request, context in
            let (_, viewer) = try await self.user(request, scope: "read:notifications")
            guard let id = Int64(try context.parameters.require("id")),
                let notification = try await self.d.notifications.notification(id: id, accountID: viewer.id),
                let entity = try await self.notificationEntity(notification, viewer: viewer)
            else { throw KithError(.notFound, "Record not found") }
            return self.respond(entity)
        }
        router.post("/api/v1/notifications/:id/dismiss") { request, context in
            let (_, viewer) = try await self.user(request, scope: "write:notifications")
            guard let id = Int64(try context.parameters.require("id")), try await self.d.notifications.dismissNotification(id: id, accountID: viewer.id)
            else { throw KithError(.notFound, "Record not found") }
            return self.respond([:])
        }
    }

    func notificationEntity(_ notification: Domain.Notification, viewer: Account) async throws -> JSONValue? {
        guard let from = try await d.accounts.account(id: notification.fromAccountID) else { return nil }
        var status: JSONValue = .null
        if let statusID = notification.statusID {
            guard let found = try await d.statuses.status(id: statusID) else { return nil }
            status = try await statusEntity(found, viewer: viewer)
        }
        var object: [String: JSONValue] = [
            "id": .string(String(notification.id)), "type": .string(notification.type.rawValue),
            "created_at": MastodonEntities.date(notification.createdAt), "account": try await accountEntity(from, viewer: viewer),
            "group_key": .string("ungrouped-\(notification.id)"),
        ]
        if notification.statusID != nil { object["status"] = status }
        return .object(object)
    }

    // MARK: Authentication and lookups

    /// Who reads public content: the signed-in account, or, with the login wall down and no
    /// token given, an anonymous reader who follows no one and sees public and unlisted posts only.
    func reader(_ request: Request, scope: String) async throws -> Account {
        if !d.loginWall, request.headers[.authorization] == nil { return Self.anonymous }
        return try await user(request, scope: scope).1
    }

    static let anonymous = Account(
        id: -1, username: "", domain: nil, displayName: "", uri: "", url: nil, inboxURI: "", sharedInboxURI: nil, publicKeyPEM: "", role: .user,
        email: nil, createdAt: .distantPast)

    /// The signed-in account of a user token that grants `scope`.
    func user(_ request: Request, scope: String) async throws -> (AccessToken, Account) {
        let token = try await d.oauth.authenticate(authorization: request.headers[.authorization], scope: scope)
        return (token, try await Self.activeUser(of: token, accounts: d.accounts))
    }

    /// The account a token acts for (read with the token, or else now), which must be active;
    /// 422 for a token of the application itself.
    static func activeUser(of token: AccessToken, accounts: any RemoteAccountRepository) async throws -> Account {
        var account = token.account
        if account == nil, let id = token.accountID { account = try await accounts.account(id: id) }
        guard let account else { throw KithError(.unprocessable, "This method requires an authenticated user") }
        try requireActive(account)
        return account
    }

    /// Tokens of suspended or disabled accounts stop working at once (and work again when lifted).
    static func requireActive(_ account: Account) throws {
        guard !account.suspended, !account.disabled else { throw KithError(.forbidden, "Your login is currently disabled") }
    }

    func account(_ context: AppRequestContext) async throws -> Account {
        guard let id = Int64(try context.parameters.require("id")), let account = try await d.accounts.account(id: id) else {
            throw KithError(.notFound, "Record not found")
        }
        return account
    }

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
        guard let id = Int64(try context.parameters.require("id")), let status = try await d.statuses.status(id: id),
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

    // MARK: Posting

    func createStatus(_ request: Request, token: AccessToken, account: Account) async throws -> Response {
        let key = request.headers[.init("Idempotency-Key")!]
        if let key, let existing = try await d.timelines.idempotentStatus(accountID: account.id, key: key),
            let status = try await d.statuses.status(id: existing)
        {
            return respond(try await statusEntity(status, viewer: account))
        }
        let parameters = try await RequestParameters.parse(request)
        let visibility: Visibility
        if let raw = parameters["visibility"], !raw.isEmpty {
            guard let parsed = Visibility(rawValue: raw) else {
                throw KithError(.unprocessable, "Validation failed: visibility must be public, unlisted, private or direct")
            }
            visibility = parsed
        } else {
            visibility = .public
        }
        var parent: PostComposer.Draft.Parent?
        if let raw = parameters["in_reply_to_id"], !raw.isEmpty {
            guard let id = Int64(raw) else { throw KithError(.notFound, "Record not found") }
            parent = .id(id)
        }
        let status = try await d.composer.compose(
            .init(
                text: parameters["status"] ?? "", visibility: visibility, inReplyTo: parent, spoilerText: parameters["spoiler_text"] ?? "",
                sensitive: parameters.flag("sensitive") ?? false, language: parameters["language"].flatMap { $0.isEmpty ? nil : $0 },
                localOnly: parameters.flag("local_only") ?? false),
            by: account)
        if let key { try await d.timelines.recordIdempotency(accountID: account.id, key: key, statusID: status.id) }
        return respond(try await statusEntity(status, viewer: account))
    }

    // MARK: Entities

    func respond(_ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        var response = DocumentResponse.json(value, contentType: Self.json)
        for field in headers { response.headers.append(field) }
        return response
    }

    func accountEntity(_ account: Account, viewer: Account?, withSource: Bool = false) async throws -> JSONValue {
        try await MastodonEntities.account(account, graph: d.graph, node: d.node.domain, withSource: withSource)
    }

    func relationship(viewer: Account, account: Account) async throws -> JSONValue {
        let following = try await d.graph.findFollow(accountID: viewer.id, targetAccountID: account.id)
        let followedBy = try await d.graph.findFollow(accountID: account.id, targetAccountID: viewer.id)
        let mute = try await d.graph.mute(accountID: viewer.id, targetAccountID: account.id)
        return [
            "id": .string(String(account.id)),
            "following": .bool(following?.state == .accepted), "showing_reblogs": .bool(following?.state == .accepted),
            "notifying": .bool(following?.notify ?? false), "languages": .null,
            "followed_by": .bool(followedBy?.state == .accepted),
            "blocking": .bool(try await d.graph.isBlocking(accountID: viewer.id, targetAccountID: account.id)),
            "blocked_by": .bool(try await d.graph.isBlocking(accountID: account.id, targetAccountID: viewer.id)),
            "muting": .bool(mute != nil), "muting_notifications": .bool(mute?.hideNotifications ?? false),
            "requested": .bool(following?.state == .pending),
            "requested_by": .bool(followedBy?.state == .pending),
            "domain_blocking": false, "endorsed": false, "note": "",
        ]
    }

    /// Status entities for a page of posts. Everything they show (boosted originals, authors and
    /// their counts, mentioned accounts, each post's counts, the viewer's marks, reply parents'
    /// authors) is read in at most three queries for the whole page, not per post.
    func statusEntities(_ statuses: [Status], viewer: Account) async throws -> [JSONValue] {
        try await renderStatuses(statuses, viewer: viewer).entities
    }

    /// The entities and what they were made from.
    func renderStatuses(_ statuses: [Status], viewer: Account) async throws -> (entities: [JSONValue], page: StatusPageData) {
        guard !statuses.isEmpty else { return ([], StatusPageData(details: [:])) }
        let originals = try await d.statuses.statuses(ids: statuses.compactMap(\.reblogOfID))
        let all = statuses + originals
        var page = StatusPageData(details: try await d.timelines.details(viewerID: viewer.id, statusIDs: all.map(\.id)))
        page.originals = Dictionary(originals.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let mentionURIs = all.flatMap { $0.mentions.map(\.uri) }
        let authorIDs = Set(all.map(\.accountID))
        for (account, counts) in try await d.graph.accountsWithCounts(ids: Array(authorIDs), uris: mentionURIs) {
            if authorIDs.contains(account.id) { page.authors[account.id] = (account, counts) }
            page.mentioned[account.uri] = account
        }
        var result: [JSONValue] = []
        result.reserveCapacity(statuses.count)
        for status in statuses {
            // A post whose author is gone (deleted meanwhile) is left out, as a 404 would be.
            if let entity = statusEntity(status, page: page) { result.append(entity) }
        }
        return (result, page)
    }

    func statusEntity(_ status: Status, viewer: Account) async throws -> JSONValue {
        guard let entity = try await statusEntities([status], viewer: viewer).first else { throw KithError(.notFound, "Record not found") }
        return entity
    }

    struct StatusPageData {
        var details: [Int64: StatusDetails]
        var originals: [Int64: Status] = [:]
        var authors: [Int64: (account: Account, counts: AccountCounts)] = [:]
        var mentioned: [String: Account] = [:]
    }

    func statusEntity(_ status: Status, page: StatusPageData) -> JSONValue? {
        guard let (author, authorCounts) = page.authors[status.accountID].map({ ($0.account, $0.counts) }) else { return nil }
        var reblog: JSONValue = .null
        if let originalID = status.reblogOfID, let original = page.originals[originalID] {
            guard let entity = statusEntity(original, page: page) else { return nil }
            reblog = entity
        }
        let details = page.details[status.id] ?? StatusDetails()
        let counts = details.counts
        let inReplyToAccount: JSONValue = details.parentAccountID.map { .string(String($0)) } ?? .null
        var mentions: [JSONValue] = []
        for mention in status.mentions {
            guard let account = page.mentioned[mention.uri] else { continue }
            mentions.append([
                "id": .string(String(account.id)), "username": .string(account.username), "url": .string(account.url ?? account.uri),
                "acct": .string(account.acct),
            ])
        }
        return [
            "id": .string(String(status.id)),
            "created_at": MastodonEntities.date(status.publishedAt),
            "in_reply_to_id": .optional(status.inReplyToID.map(String.init)),
            "in_reply_to_account_id": inReplyToAccount,
            "sensitive": .bool(status.sensitive),
            "spoiler_text": .string(status.spoilerText),
            "visibility": .string(status.visibility.rawValue),
            "language": .optional(status.language),
            "uri": .string(status.uri),
            "url": .optional(status.reblogOfID == nil ? (status.url ?? status.uri) : nil),
            "replies_count": .number(Double(counts.replies)),
            "reblogs_count": .number(Double(counts.reblogs)),
            "favourites_count": .number(Double(counts.favourites)),
            "edited_at": status.editedAt.map(MastodonEntities.date) ?? .null,
            "favourited": .bool(details.favourited),
            "reblogged": .bool(details.reblogged),
            "muted": false,
            "bookmarked": .bool(details.bookmarked),
            "pinned": .bool(details.pinned),
            "local_only": .bool(status.localOnly),
            "content": .string(status.content),
            "filtered": [],
            "reblog": reblog,
            "application": .null,
            "account": MastodonEntities.account(
                author, counts: (authorCounts.followers, authorCounts.following, authorCounts.statuses), node: d.node.domain),
            "media_attachments": [],
            "mentions": .array(mentions),
            "tags": .array(status.tags.map { ["name": .string($0), "url": .string("\(d.node.baseURL)/tags/\($0)")] }),
            "emojis": [],
            "card": .null,
            "poll": .null,
        ]
    }

    // MARK: Pagination

    /// `local=true`: only this node's posts; `remote=true`: only other nodes'; else both (nil).
    static func localOnly(_ request: Request) -> Bool? {
        let query = request.uri.queryParameters
        if RequestParameters.truthy(query["local"]) { return true }
        return RequestParameters.truthy(query["remote"]) ? false : nil
    }

    static func page(_ request: Request) throws -> PageRequest {
        let query = request.uri.queryParameters
        func id(_ name: String) throws -> Int64? {
            guard let raw = query[Substring(name)], !raw.isEmpty else { return nil }
            guard let value = Int64(String(raw)) else { throw KithError(.invalidInput, "\(name) must be an id") }
            return value
        }
        var limit = 20
        if let raw = query["limit"] {
            guard let value = Int(String(raw)) else { throw KithError(.invalidInput, "limit must be a number") }
            limit = max(1, min(value, 40))
        }
        return PageRequest(maxID: try id("max_id"), sinceID: try id("since_id"), minID: try id("min_id"), limit: limit)
    }

    /// A page of statuses with Mastodon's `Link` header (`next` goes older, `prev` newer).
    /// Mastodon's `Link` header for a page whose items' paging ids run from `first` (newest) to
    /// `last`: `next` goes older, `prev` newer; the request's `limit` is kept.
    func link(_ request: Request, first: Int64?, last: Int64?) -> HTTPFields {
        var headers = HTTPFields()
        if let first, let last {
            let path = d.node.baseURL + request.uri.path
            let limit = request.uri.queryParameters["limit"].map { "&limit=\($0)" } ?? ""
            headers[.init("Link")!] = "<\(path)?max_id=\(last)\(limit)>; rel=\"next\", <\(path)?min_id=\(first)\(limit)>; rel=\"prev\""
        }
        return headers
    }
}
