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
        headers[.contentType] = MastodonAPI.json
        if let link { headers[.init("Link")!] = link }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

/// What a rendered page was read from: while none of it changed, the page is served again.
struct PageSources {
    var accounts: [Int64] = []
    var statuses: [Int64] = []

    /// The change-log key (`s0`) that every change to a public post names: the public and
    /// hashtag timelines depend on it, since any new public post may belong on them.
    static let publicPosts: Int64 = 0
}

/// A page as a route builds it: its JSON, its `Link` header and what it was read from.
struct BuiltPage {
    var body: any JSONWritable
    var link: String?
    var sources: PageSources
}

extension MastodonAPI {
    /// A timeline or thread page from the page cache, or `build` it. The key is the viewer,
    /// the path and the query, so each reader gets their own page (marks, visibility, mutes).
    /// The viewer's own changes (posts, favourites, bookmarks, follows, mutes, blocks) drop the
    /// page at once; other changes to what it was read from (`sources`: a shown post's counts,
    /// edits or deletion, its author, booster, mentioned accounts or reply parent; the accounts
    /// a timeline follows; a new public post for the public and hashtag timelines) show within
    /// the cache's grace. Requests for a page being built meanwhile wait for that build. With
    /// caching off every page is built.
    func cachedPage(_ request: Request, viewer: Account, build: @escaping @Sendable () async throws -> BuiltPage) async throws -> Response {
        guard let pages = d.pages else { return Self.render(try await build()).response }
        let key = "\(viewer.id) \(request.uri.path)?\(request.uri.query ?? "")"
        return try await pages.value(for: key, strict: [viewer.id]) {
            let built = try await build()
            let rendered = Self.render(built)
            return .init(
                value: rendered, accounts: built.sources.accounts, statuses: built.sources.statuses,
                cost: rendered.body.readableBytes + key.utf8.count + 64)
        }.response
    }

    static func render(_ built: BuiltPage) -> CachedPage {
        CachedPage(body: ByteBuffer(bytes: JSONWriter.serialize(built.body)), link: built.link)
    }

    /// A page of statuses (newest first, with Mastodon's `Link` header), and what it shows:
    /// its posts and the posts they boost or answer, their authors and mentioned accounts.
    func statusPage(_ statuses: [Status], request: Request, viewer: Account, paged: Bool = true) async throws -> BuiltPage {
        let shown = viewer.id == Self.anonymous.id ? statuses.filter { !$0.localOnly } : statuses
        let (entities, data) = try await renderStatuses(shown, viewer: viewer)
        return BuiltPage(
            body: entities, link: paged ? link(request, first: statuses.first?.id, last: statuses.last?.id)[.init("Link")!] : nil,
            sources: Self.sources(of: shown, data))
    }

    static func sources(of statuses: [Status], _ data: StatusPageData) -> PageSources {
        let shown = statuses + data.originals.values
        return PageSources(
            accounts: Array(data.authors.keys) + data.mentioned.values.map(\.id),
            statuses: shown.map(\.id) + shown.compactMap(\.inReplyToID))
    }

    /// The home timeline: the page also depends on whom the reader follows.
    func homePage(_ request: Request, viewer: Account) async throws -> Response {
        try await cachedPage(request, viewer: viewer) {
            let followed = d.pages == nil ? [] : try await d.timelines.homeSources(accountID: viewer.id)
            var page = try await statusPage(try await d.timelines.homeTimeline(accountID: viewer.id, page: try Self.page(request)), request: request, viewer: viewer)
            page.sources.accounts += followed
            return page
        }
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
