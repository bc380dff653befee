import ActivityStreams
import Domain
import Foundation
import Hummingbird

/// A rendered timeline page: the JSON body and its `Link` header.
public struct CachedPage: Sendable {
    public var body: ByteBuffer
    public var link: String?

    var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = ClientAPIController.json
        if let link { headers[.init("Link")!] = link }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

extension ClientAPIController {
    /// The home timeline, from the page cache. The reader's own changes (posts, favourites,
    /// bookmarks, follows, mutes, blocks) drop the page at once; other changes to what it shows
    /// (a followed account's new post or profile, a shown post's counts, edits or deletion, its
    /// author, booster, mentioned accounts or reply parent) show within the cache's grace.
    func homePage(_ request: Request, viewer: Account) async throws -> Response {
        let key = "\(viewer.id)?\(request.uri.query ?? "")"
        if let cached = d.pages?.value(for: key) { return cached.response }
        let page = try Self.page(request)
        let stamp = d.pages?.clock.stamp()
        let sources = stamp == nil ? [] : try await d.timelines.homeSources(accountID: viewer.id)
        let statuses = try await d.timelines.homeTimeline(accountID: viewer.id, page: page)
        let (entities, data) = try await renderStatuses(statuses, viewer: viewer)
        let rendered = CachedPage(
            body: ByteBuffer(bytes: JSONValue.array(entities).serialized()),
            link: link(request, first: statuses.first?.id, last: statuses.last?.id)[.init("Link")!])
        if let pages = d.pages, stamp != nil {
            let shown = statuses + data.originals.values
            pages.store(
                rendered, for: key, stamp: stamp, strict: [viewer.id],
                accounts: sources + Array(data.authors.keys) + data.mentioned.values.map(\.id),
                statuses: shown.map(\.id) + shown.compactMap(\.inReplyToID),
                cost: rendered.body.readableBytes + key.utf8.count + 64)
        }
        return rendered.response
    }
}

/// After a client's write (any API or OAuth request that is not a read), waits until the
/// changes it committed have reached this process's caches before answering, so the client's
/// next read sees them. Reads and the federation inboxes pass straight through.
public struct ChangeFenceMiddleware<Context: RequestContext>: RouterMiddleware {
    let fence: any ChangeFence

    public init(fence: any ChangeFence) {
        self.fence = fence
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.writes(request) else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            await fence.fence()
            return response
        } catch {
            await fence.fence()
            throw error
        }
    }

    static func writes(_ request: Request) -> Bool {
        switch request.method {
        case .get, .head, .options: return false
        default:
            let path = request.uri.path
            return path.hasPrefix("/api/") || path.hasPrefix("/oauth/")
        }
    }
}
