import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// `/api/v1/accounts`: profiles, the reader's own profile, relationships and their changes
/// (follow, block, mute, follow requests), and account search.
public struct AccountsController: Sendable {
    let api: MastodonAPI

    public init(api: MastodonAPI) {
        self.api = api
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/accounts/verify_credentials") { _, context in
            let token = try context.token(scope: nil)
            guard token.scopes.allows("read:accounts") || token.scopes.allows("profile") else {
                throw KithError(.forbidden, "This action is outside the authorized scopes")
            }
            return MastodonAPI.respond(try await self.api.accountEntity(try context.user(scope: nil), viewer: nil, withSource: true))
        }
        router.patch("/api/v1/accounts/update_credentials") { request, context in
            let viewer = try context.user(scope: "write:accounts")
            let parameters = try await RequestParameters.parse(request)
            let formatter = TextFormatter(baseURL: self.api.d.node.baseURL)
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
                updated = try await self.api.d.social.updateProfile(accountID: viewer.id, change)
            } catch let error as KithError where error.kind == .invalidInput {
                throw KithError(.unprocessable, "Validation failed: \(error.message)")
            }
            return MastodonAPI.respond(try await self.api.accountEntity(updated, viewer: viewer, withSource: true))
        }
        router.get("/api/v1/accounts/lookup") { request, context in
            let viewer = try self.api.reader(context, scope: "read:accounts")
            guard let acct = request.uri.queryParameters["acct"].map(String.init), !acct.isEmpty else {
                throw KithError(.invalidInput, "acct is required")
            }
            let found = try await self.api.lookup(acct)
            if try await self.api.concealed(found, from: viewer) { throw KithError(.notFound, "Record not found") }
            return MastodonAPI.respond(try await self.api.accountEntity(found, viewer: viewer))
        }
        router.get("/api/v1/accounts/relationships") { request, context in
            let viewer = try context.user(scope: "read:follows")
            let parameters = try await RequestParameters.parse(request)
            var result: [MastodonRelationship] = []
            for id in parameters.list("id") {
                if let accountID = Int64(id), let account = try await self.api.d.accounts.account(id: accountID) {
                    result.append(try await self.api.relationship(viewer: viewer, account: account))
                }
            }
            return MastodonAPI.respond(result)
        }
        router.get("/api/v1/accounts/search") { request, context in
            let viewer = try context.user(scope: "read:accounts")
            let parameters = try await RequestParameters.parse(request)
            let query = (parameters["q"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !query.isEmpty else { throw KithError(.invalidInput, "q is required") }
            let limit = max(1, min(Int(parameters["limit"] ?? "") ?? 40, 80))
            let resolve = parameters.flag("resolve") ?? false
            var entities: [MastodonAccount] = []
            for account in try await self.api.findAccounts(query, resolve: resolve, limit: limit, viewer: viewer) {
                entities.append(try await self.api.accountEntity(account, viewer: viewer))
            }
            return MastodonAPI.respond(entities)
        }
        router.get("/api/v1/accounts/:id") { request, context in
            let viewer = try self.api.reader(context, scope: "read:accounts")
            let account = try await self.api.account(context)
            if try await self.api.concealed(account, from: viewer) { throw KithError(.notFound, "Record not found") }
            return MastodonAPI.respond(try await self.api.accountEntity(account, viewer: viewer))
        }
        router.get("/api/v1/accounts/:id/statuses") { request, context in
            let viewer = try self.api.reader(context, scope: "read:statuses")
            return try await self.api.cachedPage(request, viewer: viewer) {
                let account = try await self.api.account(context)
                let query = request.uri.queryParameters
                var page: BuiltPage
                if RequestParameters.truthy(query["pinned"]) {
                    var pinned: [Status] = []
                    for status in try await self.api.d.statuses.pinnedStatuses(accountID: account.id) where try await self.api.canSee(status, viewer: viewer) {
                        pinned.append(status)
                    }
                    page = try await self.api.statusPage(pinned, request: request, viewer: viewer, paged: false)
                } else if RequestParameters.truthy(query["only_media"]) {
                    page = try await self.api.statusPage([], request: request, viewer: viewer)  // posts carry no media yet
                } else {
                    let statuses = try await self.api.d.timelines.accountTimeline(
                        accountID: account.id, viewerID: viewer.id, excludeReplies: RequestParameters.truthy(query["exclude_replies"]),
                        page: try MastodonAPI.page(request))
                    page = try await self.api.statusPage(statuses, request: request, viewer: viewer)
                }
                // Its new posts, pins and profile changes name the account.
                page.sources.accounts.append(account.id)
                return page
            }
        }
        router.get("/api/v1/accounts/:id/followers") { request, context in try await self.follows(followers: true, request, context) }
        router.get("/api/v1/accounts/:id/following") { request, context in try await self.follows(followers: false, request, context) }
        router.post("/api/v1/accounts/:id/follow") { request, context in try await self.followAction(follow: true, request, context) }
        router.post("/api/v1/accounts/:id/unfollow") { request, context in try await self.followAction(follow: false, request, context) }
        router.post("/api/v1/accounts/:id/block") { request, context in try await self.blockAction(block: true, request, context) }
        router.post("/api/v1/accounts/:id/unblock") { request, context in try await self.blockAction(block: false, request, context) }
        router.post("/api/v1/accounts/:id/mute") { request, context in try await self.muteAction(mute: true, request, context) }
        router.post("/api/v1/accounts/:id/unmute") { request, context in try await self.muteAction(mute: false, request, context) }
        router.get("/api/v1/follow_requests") { request, context in
            let viewer = try context.user(scope: "read:follows")
            let page = try MastodonAPI.page(request)
            let entries = try await self.api.d.graph.followers(of: viewer.id, state: .pending, limit: page.limit, maxID: page.maxID)
            var accounts: [MastodonAccount] = []
            for entry in entries { accounts.append(try await self.api.accountEntity(entry.account, viewer: viewer)) }
            return MastodonAPI.respond(accounts, headers: self.api.link(request, first: entries.first?.followID, last: entries.last?.followID))
        }
        router.post("/api/v1/follow_requests/:id/authorize") { request, context in
            try await self.decideFollowRequest(authorize: true, request, context)
        }
        router.post("/api/v1/follow_requests/:id/reject") { request, context in
            try await self.decideFollowRequest(authorize: false, request, context)
        }
        router.get("/api/v1/mutes") { request, context in try await self.mutedOrBlocked(mutes: true, request, context) }
        router.get("/api/v1/blocks") { request, context in try await self.mutedOrBlocked(mutes: false, request, context) }
    }

    /// Acts, as the signed-in reader, on the account in the path, and answers their relationship.
    func relationshipAction(
        scope: String, _ request: Request, _ context: AppRequestContext, _ act: (_ viewer: Account, _ account: Account) async throws -> Void
    ) async throws -> Response {
        let viewer = try context.user(scope: scope)
        let account = try await self.api.account(context)
        try await act(viewer, account)
        return MastodonAPI.respond(try await api.relationship(viewer: viewer, account: account))
    }

    /// Follow or unfollow an account; answers the relationship.
    func followAction(follow: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:follows", request, context) { viewer, account in
            guard account.id != viewer.id else { throw KithError(.unprocessable, "You cannot follow yourself") }
            guard follow else { return try await api.d.social.unfollow(accountID: viewer.id, targetAccountID: account.id) }
            _ = try await api.d.social.follow(accountID: viewer.id, account.uri)
            // notify=true: hear of each new post of the account (a `status` notification).
            if let notify = try await RequestParameters.parse(request)["notify"] {
                try await api.d.graph.setNotify(accountID: viewer.id, targetAccountID: account.id, notify: RequestParameters.truthy(notify))
            }
        }
    }

    /// Block or unblock an account; answers the relationship.
    func blockAction(block: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:blocks", request, context) { viewer, account in
            if block {
                try await api.d.social.block(accountID: viewer.id, targetAccountID: account.id)
            } else {
                try await api.d.social.unblock(accountID: viewer.id, targetAccountID: account.id)
            }
        }
    }

    /// Mute (for `duration` seconds, or until unmuted; notifications too unless told not) or
    /// unmute an account; answers the relationship.
    func muteAction(mute: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:mutes", request, context) { viewer, account in
            guard mute else { return try await api.d.social.unmute(accountID: viewer.id, targetAccountID: account.id) }
            let parameters = try await RequestParameters.parse(request)
            var duration: Int?
            if let raw = parameters["duration"], !raw.isEmpty {
                guard let seconds = Int(raw), seconds >= 0 else {
                    throw KithError(.unprocessable, "Validation failed: duration must be a number of seconds")
                }
                duration = seconds
            }
            try await api.d.social.mute(
                accountID: viewer.id, targetAccountID: account.id, notifications: parameters.flag("notifications") ?? true, duration: duration)
        }
    }

    /// Accept or refuse a request to follow the reader; answers the relationship.
    func decideFollowRequest(authorize: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await relationshipAction(scope: "write:follows", request, context) { viewer, requester in
            if authorize {
                try await api.d.social.authorizeFollowRequest(accountID: viewer.id, fromAccountID: requester.id)
            } else {
                try await api.d.social.rejectFollowRequest(accountID: viewer.id, fromAccountID: requester.id)
            }
        }
    }

    /// An account's followers or the accounts it follows.
    func follows(followers: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.user(scope: "read:accounts")
        let account = try await self.api.account(context)
        // A closed or secret group's followers are its members: for members' eyes only.
        if followers, account.actorType == "Group", account.locked,
            try await api.d.graph.findFollow(accountID: viewer.id, targetAccountID: account.id)?.state != .accepted
        {
            throw KithError(account.isConcealedGroup ? .notFound : .forbidden, "Only members see who is in this group")
        }
        let page = try MastodonAPI.page(request)
        let entries =
            followers
            ? try await api.d.graph.followers(of: account.id, state: .accepted, limit: page.limit, maxID: page.maxID)
            : try await api.d.graph.following(of: account.id, state: .accepted, limit: page.limit, maxID: page.maxID)
        var accounts: [MastodonAccount] = []
        // Nobody learns of a secret group from who follows it, unless a member.
        for entry in entries where try await !api.concealed(entry.account, from: viewer) {
            accounts.append(try await api.accountEntity(entry.account, viewer: viewer))
        }
        return MastodonAPI.respond(accounts, headers: api.link(request, first: entries.first?.followID, last: entries.last?.followID))
    }

    /// The accounts the reader muted or blocked, newest first.
    func mutedOrBlocked(mutes: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.user(scope: mutes ? "read:mutes" : "read:blocks")
        let page = try MastodonAPI.page(request)
        let entries =
            mutes
            ? try await api.d.graph.mutedAccounts(by: viewer.id, page: page)
            : try await api.d.graph.blockedAccounts(by: viewer.id, page: page)
        var accounts: [MastodonAccount] = []
        for entry in entries { accounts.append(try await api.accountEntity(entry.account, viewer: viewer)) }
        return MastodonAPI.respond(accounts, headers: api.link(request, first: entries.first?.entryID, last: entries.last?.entryID))
    }

    /// The index in a `fields_attributes[<index>][name|value]` parameter name.
    static func fieldIndex(_ name: String) -> Int? {
        guard name.hasPrefix("fields_attributes["), let close = name.firstIndex(of: "]") else { return nil }
        let start = name.index(name.startIndex, offsetBy: "fields_attributes[".count)
        guard start < close, let index = Int(name[start..<close]), (0..<16).contains(index) else { return nil }
        return index
    }
}
