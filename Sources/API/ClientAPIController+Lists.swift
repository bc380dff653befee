import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

extension ClientAPIController {
    /// Lists (favourites, bookmarks, followers, follow requests), profile updates and search.
    func addListRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/favourites") { request, _ in try await self.markedStatuses(favourites: true, request) }
        router.get("/api/v1/bookmarks") { request, _ in try await self.markedStatuses(favourites: false, request) }
        router.get("/api/v1/follow_requests") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "read:follows")
            let page = try Self.page(request)
            let entries = try await self.d.graph.followers(of: viewer.id, state: .pending, limit: page.limit, maxID: page.maxID)
            var accounts: [JSONValue] = []
            for entry in entries { accounts.append(try await self.accountEntity(entry.account, viewer: viewer)) }
            return self.respond(.array(accounts), headers: self.link(request, first: entries.first?.followID, last: entries.last?.followID))
        }
        router.post("/api/v1/follow_requests/:id/authorize") { request, context in
            try await self.decideFollowRequest(authorize: true, request, context)
        }
        router.post("/api/v1/follow_requests/:id/reject") { request, context in
            try await self.decideFollowRequest(authorize: false, request, context)
        }
        router.get("/api/v1/accounts/:id/followers") { request, context in try await self.follows(followers: true, request, context) }
        router.get("/api/v1/accounts/:id/following") { request, context in try await self.follows(followers: false, request, context) }
        router.get("/api/v1/statuses/:id/favourited_by") { request, context in try await self.markers(favourites: true, request, context) }
        router.get("/api/v1/statuses/:id/reblogged_by") { request, context in try await self.markers(favourites: false, request, context) }
        router.patch("/api/v1/accounts/update_credentials") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "write:accounts")
            let parameters = try await RequestParameters.parse(request)
            let formatter = TextFormatter(baseURL: self.d.node.baseURL)
            func html(_ text: String) -> String { text.isEmpty ? "" : formatter.format(text) { _ in nil }.html }
            var change = ProfileChange(
                displayName: parameters["display_name"], note: parameters["note"].map(html), locked: parameters.flag("locked"),
                discoverable: parameters.flag("discoverable"))
            // fields_attributes[i][name] / [value], i from 0; a field with an empty name is dropped.
            let indices = Set(parameters.values.keys.compactMap(Self.fieldIndex))
            if !indices.isEmpty {
                change.fields = indices.sorted().compactMap { index -> ProfileField? in
                    let name = (parameters["fields_attributes[\(index)][name]"] ?? "").trimmingCharacters(in: .whitespaces)
                    let value = (parameters["fields_attributes[\(index)][value]"] ?? "").trimmingCharacters(in: .whitespaces)
                    guard !name.isEmpty else { return nil }
                    return ProfileField(name: name, value: html(value), source: value)
                }
            }
            let updated: Account
            do {
                updated = try await self.d.social.updateProfile(accountID: viewer.id, change)
            } catch let error as KithError where error.kind == .invalidInput {
                throw KithError(.unprocessable, "Validation failed: \(error.message)")
            }
            return self.respond(try await self.accountEntity(updated, viewer: viewer, withSource: true))
        }
        router.get("/api/v1/timelines/tag/:hashtag") { request, context in
            let viewer = try await self.reader(request, scope: "read:statuses")
            let tag = try context.parameters.require("hashtag")
            return try await self.cachedPage(request, viewer: viewer) {
                var page = try await self.statusPage(
                    try await self.d.timelines.tagTimeline(tag, local: Self.localOnly(request), viewerID: viewer.id, page: try Self.page(request)),
                    request: request, viewer: viewer)
                page.sources.statuses.append(PageSources.publicPosts)
                return page
            }
        }
        router.get("/api/v1/instance/peers") { _, _ in
            self.respond(.array(try await self.d.timelines.peers().map { .string($0) }))
        }
        router.get("/api/v1/markers") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "read:statuses")
            let parameters = try await RequestParameters.parse(request)
            let wanted = parameters.list("timeline")
            var result: [String: JSONValue] = [:]
            for (timeline, marker) in try await self.d.timelines.markers(accountID: viewer.id) where wanted.isEmpty || wanted.contains(timeline) {
                result[timeline] = [
                    "last_read_id": .string(String(marker.lastReadID)), "version": .number(Double(marker.version)),
                    "updated_at": MastodonEntities.date(marker.updatedAt),
                ]
            }
            return self.respond(.object(result))
        }
        router.post("/api/v1/markers") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "write:statuses")
            let parameters = try await RequestParameters.parse(request)
            for timeline in ["home", "notifications"] {
                // Form style (home[last_read_id]=…) or JSON ({"home": {"last_read_id": …}}).
                let raw = parameters["\(timeline)[last_read_id]"] ?? parameters[timeline].flatMap { text in
                    (try? JSONValue.parse(Array(text.utf8)))?["last_read_id"].map(RequestParameters.text)
                }
                guard let raw else { continue }
                guard let id = Int64(raw) else { throw KithError(.unprocessable, "Validation failed: last_read_id must be an id") }
                try await self.d.timelines.setMarker(accountID: viewer.id, timeline: timeline, lastReadID: id)
            }
            var result: [String: JSONValue] = [:]
            for (timeline, marker) in try await self.d.timelines.markers(accountID: viewer.id) {
                result[timeline] = [
                    "last_read_id": .string(String(marker.lastReadID)), "version": .number(Double(marker.version)),
                    "updated_at": MastodonEntities.date(marker.updatedAt),
                ]
            }
            return self.respond(.object(result))
        }
        router.post("/api/v1/accounts/:id/block") { request, context in try await self.blockAction(block: true, request, context) }
        router.post("/api/v1/accounts/:id/unblock") { request, context in try await self.blockAction(block: false, request, context) }
        router.post("/api/v1/accounts/:id/mute") { request, context in try await self.muteAction(mute: true, request, context) }
        router.post("/api/v1/accounts/:id/unmute") { request, context in try await self.muteAction(mute: false, request, context) }
        router.get("/api/v1/mutes") { request, _ in try await self.mutedOrBlocked(mutes: true, request) }
        router.get("/api/v1/blocks") { request, _ in try await self.mutedOrBlocked(mutes: false, request) }
        router.get("/api/v1/accounts/search") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "read:accounts")
            let parameters = try await RequestParameters.parse(request)
            let query = (parameters["q"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !query.isEmpty else { throw KithError(.invalidInput, "q is required") }
            let limit = max(1, min(Int(parameters["limit"] ?? "") ?? 40, 80))
            let resolve = parameters.flag("resolve") ?? false
            var entities: [JSONValue] = []
            for account in try await self.findAccounts(query, resolve: resolve, limit: limit, viewer: viewer) { entities.append(try await self.accountEntity(account, viewer: viewer)) }
            return self.respond(.array(entities))
        }
        router.get("/api/v2/search") { request, _ in
            let (_, viewer) = try await self.user(request, scope: "read:search")
            return self.respond(try await self.search(request, viewer: viewer))
        }
    }

    /// The reader's favourited or bookmarked posts, newest mark first.
    func markedStatuses(favourites: Bool, _ request: Request) async throws -> Response {
        let (_, viewer) = try await user(request, scope: favourites ? "read:favourites" : "read:bookmarks")
        let page = try Self.page(request)
        let marked =
            favourites
            ? try await d.timelines.favourited(accountID: viewer.id, page: page)
            : try await d.timelines.bookmarked(accountID: viewer.id, page: page)
        return respond(
            .array(try await statusEntities(marked.map(\.status), viewer: viewer)),
            headers: link(request, first: marked.first?.markID, last: marked.last?.markID))
    }

    /// Accept or refuse a request to follow the reader; answers the relationship.
    func decideFollowRequest(authorize: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:follows", request, context) { viewer, requester in
            if authorize {
                try await d.social.authorizeFollowRequest(accountID: viewer.id, fromAccountID: requester.id)
            } else {
                try await d.social.rejectFollowRequest(accountID: viewer.id, fromAccountID: requester.id)
            }
        }
    }

    /// Acts, as the signed-in reader, on the account in the path, and answers their relationship.
    func relationshipAction(
        scope: String, _ request: Request, _ context: AppRequestContext, _ act: (_ viewer: Account, _ account: Account) async throws -> Void
    ) async throws -> Response {
        let (_, viewer) = try await user(request, scope: scope)
        let account = try await self.account(context)
        try await act(viewer, account)
        return respond(try await relationship(viewer: viewer, account: account))
    }

    /// An account's followers or the accounts it follows.
    func follows(followers: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, viewer) = try await user(request, scope: "read:accounts")
        let account = try await self.account(context)
        // A closed or secret group's followers are its members: for members' eyes only.
        if followers, account.actorType == "Group", account.locked,
            try await d.graph.findFollow(accountID: viewer.id, targetAccountID: account.id)?.state != .accepted
        {
            throw KithError(account.isConcealedGroup ? .notFound : .forbidden, "Only members see who is in this group")
        }
        let page = try Self.page(request)
        let entries =
            followers
            ? try await d.graph.followers(of: account.id, state: .accepted, limit: page.limit, maxID: page.maxID)
            : try await d.graph.following(of: account.id, state: .accepted, limit: page.limit, maxID: page.maxID)
        var accounts: [JSONValue] = []
        // Nobody learns of a secret group from who follows it, unless a member.
        for entry in entries where try await !concealed(entry.account, from: viewer) {
            accounts.append(try await accountEntity(entry.account, viewer: viewer))
        }
        return respond(.array(accounts), headers: link(request, first: entries.first?.followID, last: entries.last?.followID))
    }

    /// Who favourited or boosted a post the reader can see.
    func markers(favourites: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, viewer) = try await user(request, scope: "read:statuses")
        let status = try await visibleStatus(context, viewer: viewer)
        let limit = try Self.page(request).limit
        let accounts =
            favourites
            ? try await d.timelines.favouritedBy(statusID: status.id, limit: limit)
            : try await d.timelines.rebloggedBy(statusID: status.id, limit: limit)
        var entities: [JSONValue] = []
        for account in accounts { entities.append(try await accountEntity(account, viewer: viewer)) }
        return respond(.array(entities))
    }

    /// Block or unblock an account; answers the relationship.
    func blockAction(block: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:blocks", request, context) { viewer, account in
            if block {
                try await d.social.block(accountID: viewer.id, targetAccountID: account.id)
            } else {
                try await d.social.unblock(accountID: viewer.id, targetAccountID: account.id)
            }
        }
    }

    /// Mute (for `duration` seconds, or until unmuted; notifications too unless told not) or
    /// unmute an account; answers the relationship.
    func muteAction(mute: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:mutes", request, context) { viewer, account in
            guard mute else { return try await d.social.unmute(accountID: viewer.id, targetAccountID: account.id) }
            let parameters = try await RequestParameters.parse(request)
            var duration: Int?
            if let raw = parameters["duration"], !raw.isEmpty {
                guard let seconds = Int(raw), seconds >= 0 else {
                    throw KithError(.unprocessable, "Validation failed: duration must be a number of seconds")
                }
                duration = seconds
            }
            try await d.social.mute(
                accountID: viewer.id, targetAccountID: account.id, notifications: parameters.flag("notifications") ?? true, duration: duration)
        }
    }

    /// The accounts the reader muted or blocked, newest first.
    func mutedOrBlocked(mutes: Bool, _ request: Request) async throws -> Response {
        let (_, viewer) = try await user(request, scope: mutes ? "read:mutes" : "read:blocks")
        let page = try Self.page(request)
        let entries =
            mutes
            ? try await d.graph.mutedAccounts(by: viewer.id, page: page)
            : try await d.graph.blockedAccounts(by: viewer.id, page: page)
        var accounts: [JSONValue] = []
        for entry in entries { accounts.append(try await accountEntity(entry.account, viewer: viewer)) }
        return respond(.array(accounts), headers: link(request, first: entries.first?.entryID, last: entries.last?.entryID))
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

    /// A secret group, to someone who is not a member of it.
    func concealed(_ account: Account, from viewer: Account) async throws -> Bool {
        guard account.isConcealedGroup else { return false }
        return try await d.graph.findFollow(accountID: viewer.id, targetAccountID: account.id)?.state != .accepted
    }

    /// The index in a `fields_attributes[<index>][name|value]` parameter name.
    static func fieldIndex(_ name: String) -> Int? {
        guard name.hasPrefix("fields_attributes["), let close = name.firstIndex(of: "]") else { return nil }
        let start = name.index(name.startIndex, offsetBy: "fields_attributes[".count)
        guard start < close, let index = Int(name[start..<close]), (0..<16).contains(index) else { return nil }
        return index
    }

    /// `GET /api/v2/search`: accounts, statuses and hashtags; with `resolve=true`, a
    /// `user@domain` is looked up through WebFinger and a post's URL fetched from its node.
    func search(_ request: Request, viewer: Account) async throws -> JSONValue {
        let parameters = try await RequestParameters.parse(request)
        let query = (parameters["q"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { throw KithError(.invalidInput, "q is required") }
        let type = parameters["type"]
        let resolve = parameters.flag("resolve") ?? false
        let limit = max(1, min(Int(parameters["limit"] ?? "") ?? 20, 40))
        var accounts: [Account] = []
        var statuses: [Status] = []
        let isURL = query.hasPrefix("https://") || query.hasPrefix("http://")
        if resolve, isURL {
            if let found = try? await resolveURL(query) {
                switch found {
                case .account(let account): accounts.append(account)
                case .status(let status): statuses.append(status)
                }
            }
        } else if type == nil || type == "accounts" {
            accounts = try await findAccounts(query, resolve: resolve, limit: limit, viewer: viewer)
        }
        if !isURL, type == nil || type == "statuses" {
            statuses = try await d.timelines.searchStatuses(query, limit: limit)
        }
        var tags: [JSONValue] = []
        if !isURL, type == nil || type == "hashtags" {
            tags = try await d.timelines.searchTags(query, limit: limit).map { tag in
                ["name": .string(tag.name), "url": .string("\(d.node.baseURL)/tags/\(tag.name)"), "history": [], "following": false]
            }
        }
        var accountEntities: [JSONValue] = []
        for account in accounts.prefix(limit) where type == nil || type == "accounts" {
            accountEntities.append(try await accountEntity(account, viewer: viewer))
        }
        var visible: [Status] = []
        for status in statuses where try await canSee(status, viewer: viewer) { visible.append(status) }
        return [
            "accounts": .array(accountEntities),
            "statuses": .array(type == nil || type == "statuses" ? try await statusEntities(Array(visible.prefix(limit)), viewer: viewer) : []),
            "hashtags": .array(tags),
        ]
    }

    enum Resolved {
        case account(Account)
        case status(Status)
    }

    /// A URL: a known post or actor, else fetched from its (allowed) node.
    func resolveURL(_ url: String) async throws -> Resolved {
        if let status = try await d.statuses.status(uri: url) { return .status(status) }
        if let account = try await d.accounts.account(uri: url) { return .account(account) }
        if let status = try await d.posts.resolvePost(url: url) { return .status(status) }
        return .account(try await d.directory.resolve(url))
    }
}
