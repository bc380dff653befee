import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// The home, public and hashtag timelines, the reader's favourites and bookmarks, and read markers.
public struct TimelinesController: Sendable {
    let api: MastodonAPI

    public init(api: MastodonAPI) {
        self.api = api
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/timelines/home") { request, context in
            let viewer = try context.user(scope: "read:statuses")
            return try await self.api.homePage(request, viewer: viewer)
        }
        router.get("/api/v1/timelines/public") { request, context in
            let viewer = try self.api.reader(context, scope: "read:statuses")
            return try await self.api.cachedPage(request, viewer: viewer) {
                let statuses = try await self.api.d.timelines.publicTimeline(
                    local: MastodonAPI.localOnly(request), viewerID: viewer.id, page: try MastodonAPI.page(request))
                var page = try await self.api.statusPage(statuses, request: request, viewer: viewer)
                page.sources.statuses.append(PageSources.publicPosts)
                return page
            }
        }
        router.get("/api/v1/timelines/tag/:hashtag") { request, context in
            let viewer = try self.api.reader(context, scope: "read:statuses")
            let tag = try context.parameters.require("hashtag")
            return try await self.api.cachedPage(request, viewer: viewer) {
                var page = try await self.api.statusPage(
                    try await self.api.d.timelines.tagTimeline(
                        tag, local: MastodonAPI.localOnly(request), viewerID: viewer.id, page: try MastodonAPI.page(request)),
                    request: request, viewer: viewer)
                page.sources.statuses.append(PageSources.publicPosts)
                return page
            }
        }
        router.get("/api/v1/favourites") { request, context in try await self.markedStatuses(favourites: true, request, context) }
        router.get("/api/v1/bookmarks") { request, context in try await self.markedStatuses(favourites: false, request, context) }
        router.get("/api/v1/markers") { request, context in
            let viewer = try context.user(scope: "read:statuses")
            let parameters = try await RequestParameters.parse(request)
            let wanted = parameters.list("timeline")
            return try await self.markers(of: viewer, wanted: wanted)
        }
        router.post("/api/v1/markers") { request, context in
            let viewer = try context.user(scope: "write:statuses")
            let parameters = try await RequestParameters.parse(request)
            for timeline in ["home", "notifications"] {
                // Form style (home[last_read_id]=…) or JSON ({"home": {"last_read_id": …}}).
                let raw = parameters["\(timeline)[last_read_id]"] ?? parameters[timeline].flatMap { text in
                    (try? JSONValue.parse(Array(text.utf8)))?["last_read_id"].map(RequestParameters.text)
                }
                guard let raw else { continue }
                guard let id = Int64(raw) else { throw KithError(.unprocessable, "Validation failed: last_read_id must be an id") }
                try await self.api.d.timelines.setMarker(accountID: viewer.id, timeline: timeline, lastReadID: id)
            }
            return try await self.markers(of: viewer, wanted: [])
        }
    }

    /// The reader's read markers, of the `wanted` timelines (all when empty).
    func markers(of viewer: Account, wanted: [String]) async throws -> Response {
        var result: [String: JSONValue] = [:]
        for (timeline, marker) in try await api.d.timelines.markers(accountID: viewer.id) where wanted.isEmpty || wanted.contains(timeline) {
            result[timeline] = [
                "last_read_id": .string(String(marker.lastReadID)), "version": .number(Double(marker.version)),
                "updated_at": MastodonEntities.date(marker.updatedAt),
            ]
        }
        return MastodonAPI.respond(.object(result))
    }

    /// The reader's favourited or bookmarked posts, newest mark first.
    func markedStatuses(favourites: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.user(scope: favourites ? "read:favourites" : "read:bookmarks")
        let page = try MastodonAPI.page(request)
        let marked =
            favourites
            ? try await api.d.timelines.favourited(accountID: viewer.id, page: page)
            : try await api.d.timelines.bookmarked(accountID: viewer.id, page: page)
        return MastodonAPI.respond(
            try await api.statusEntities(marked.map(\.status), viewer: viewer),
            headers: api.link(request, first: marked.first?.markID, last: marked.last?.markID))
    }
}
