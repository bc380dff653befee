import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// `/api/v1/statuses`: posting, reading, editing and deleting posts, their threads, and what
/// readers do to them.
public struct StatusesController: Sendable {
    let api: MastodonAPI

    public init(api: MastodonAPI) {
        self.api = api
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/statuses") { request, context in
            try await self.createStatus(request, account: try context.user(scope: "write:statuses"))
        }
        router.get("/api/v1/statuses/:id") { request, context in
            let viewer = try self.api.reader(context, scope: "read:statuses")
            return MastodonAPI.respond(try await self.api.statusEntity(try await self.api.visibleStatus(context, viewer: viewer), viewer: viewer))
        }
        router.delete("/api/v1/statuses/:id") { request, context in
            let viewer = try context.user(scope: "write:statuses")
            let status = try await self.api.visibleStatus(context, viewer: viewer)
            guard status.accountID == viewer.id else { throw KithError(.notFound, "Record not found") }
            var entity = try await self.api.statusEntity(status, viewer: viewer)
            try await self.api.d.social.delete(accountID: viewer.id, statusID: status.id)
            entity.text = status.content
            return MastodonAPI.respond(entity)
        }
        router.put("/api/v1/statuses/:id") { request, context in
            let viewer = try context.user(scope: "write:statuses")
            let status = try await self.api.visibleStatus(context, viewer: viewer)
            guard status.accountID == viewer.id, status.reblogOfID == nil else { throw KithError(.notFound, "Record not found") }
            let parameters = try await RequestParameters.parse(request)
            let edited = try await self.api.d.composer.edit(
                status, text: parameters["status"] ?? "", spoilerText: parameters["spoiler_text"], sensitive: parameters.flag("sensitive"),
                language: parameters["language"].flatMap { $0.isEmpty ? nil : $0 }, by: viewer)
            return MastodonAPI.respond(try await self.api.statusEntity(edited, viewer: viewer))
        }
        router.get("/api/v1/statuses/:id/context") { request, context in
            let viewer = try self.api.reader(context, scope: "read:statuses")
            return try await self.api.cachedPage(request, viewer: viewer) {
                let status = try await self.api.visibleStatus(context, viewer: viewer)
                let (ancestors, descendants) = try await self.api.d.timelines.context(statusID: status.id)
                let up = try await self.api.statusPage(try await self.api.visible(ancestors, to: viewer), request: request, viewer: viewer, paged: false)
                let down = try await self.api.statusPage(try await self.api.visible(descendants, to: viewer), request: request, viewer: viewer, paged: false)
                // A new reply anywhere in the thread names its parent, one of these posts.
                return BuiltPage(
                    body: MastodonContext(ancestors: up.body, descendants: down.body), link: nil,
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
        router.get("/api/v1/statuses/:id/favourited_by") { request, context in try await self.markers(favourites: true, request, context) }
        router.get("/api/v1/statuses/:id/reblogged_by") { request, context in try await self.markers(favourites: false, request, context) }
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
        let viewer = try context.user(scope: action.scope)
        let status = try await api.visibleStatus(context, viewer: viewer)
        let target = status.reblogOfID ?? status.id
        switch action {
        case .favourite: try await api.d.social.like(accountID: viewer.id, statusID: target)
        case .unfavourite: try await api.d.social.unlike(accountID: viewer.id, statusID: target)
        case .reblog:
            let reblog = try await api.d.social.boost(accountID: viewer.id, statusID: target)
            return MastodonAPI.respond(try await api.statusEntity(reblog, viewer: viewer))
        case .unreblog: try await api.d.social.unboost(accountID: viewer.id, statusID: target)
        case .bookmark: try await api.d.timelines.bookmark(accountID: viewer.id, statusID: target)
        case .unbookmark: try await api.d.timelines.unbookmark(accountID: viewer.id, statusID: target)
        case .pin: try await api.d.social.pin(accountID: viewer.id, statusID: status.id)
        case .unpin: try await api.d.social.unpin(accountID: viewer.id, statusID: status.id)
        }
        guard let fresh = try await api.d.statuses.status(id: target) else { throw KithError(.notFound, "Record not found") }
        return MastodonAPI.respond(try await api.statusEntity(fresh, viewer: viewer))
    }

    /// Who favourited or boosted a post the reader can see.
    func markers(favourites: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.user(scope: "read:statuses")
        let status = try await api.visibleStatus(context, viewer: viewer)
        let limit = try MastodonAPI.page(request).limit
        let accounts =
            favourites
            ? try await api.d.timelines.favouritedBy(statusID: status.id, limit: limit)
            : try await api.d.timelines.rebloggedBy(statusID: status.id, limit: limit)
        var entities: [MastodonAccount] = []
        for account in accounts { entities.append(try await api.accountEntity(account, viewer: viewer)) }
        return MastodonAPI.respond(entities)
    }

    func createStatus(_ request: Request, account: Account) async throws -> Response {
        let key = request.headers[.init("Idempotency-Key")!]
        if let key, let existing = try await api.d.timelines.idempotentStatus(accountID: account.id, key: key),
            let status = try await api.d.statuses.status(id: existing)
        {
            return MastodonAPI.respond(try await api.statusEntity(status, viewer: account))
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
        let status = try await api.d.composer.compose(
            .init(
                text: parameters["status"] ?? "", visibility: visibility, inReplyTo: parent, spoilerText: parameters["spoiler_text"] ?? "",
                sensitive: parameters.flag("sensitive") ?? false, language: parameters["language"].flatMap { $0.isEmpty ? nil : $0 },
                localOnly: parameters.flag("local_only") ?? false),
            by: account)
        if let key { try await api.d.timelines.recordIdempotency(accountID: account.id, key: key, statusID: status.id) }
        return MastodonAPI.respond(try await api.statusEntity(status, viewer: account))
    }
}
