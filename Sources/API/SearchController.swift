import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// `/api/v2/search`: accounts, posts and hashtags, and resolving a remote account or post by
/// address or URL.
public struct SearchController: Sendable {
    let api: MastodonAPI

    public init(api: MastodonAPI) {
        self.api = api
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v2/search") { request, context in
            let viewer = try context.user(scope: "read:search")
            return MastodonAPI.respond(try await self.search(request, viewer: viewer))
        }
    }

    /// `GET /api/v2/search`: accounts, statuses and hashtags; with `resolve=true`, a
    /// `user@domain` is looked up through WebFinger and a post's URL fetched from its node.
    func search(_ request: Request, viewer: Account) async throws -> MastodonSearchResults {
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
            accounts = try await api.findAccounts(query, resolve: resolve, limit: limit, viewer: viewer)
        }
        if !isURL, type == nil || type == "statuses" {
            statuses = try await api.d.timelines.searchStatuses(query, limit: limit)
        }
        var tags: [MastodonHashtag] = []
        if !isURL, type == nil || type == "hashtags" {
            tags = try await api.d.timelines.searchTags(query, limit: limit).map { tag in
                MastodonHashtag(name: tag.name, url: "\(api.d.node.baseURL)/tags/\(tag.name)")
            }
        }
        var accountEntities: [MastodonAccount] = []
        for account in accounts.prefix(limit) where type == nil || type == "accounts" {
            accountEntities.append(try await api.accountEntity(account, viewer: viewer))
        }
        var visible: [Status] = []
        for status in statuses where try await api.canSee(status, viewer: viewer) { visible.append(status) }
        return MastodonSearchResults(
            accounts: accountEntities,
            statuses: type == nil || type == "statuses" ? try await api.statusEntities(Array(visible.prefix(limit)), viewer: viewer) : [],
            hashtags: tags)
    }

    enum Resolved {
        case account(Account)
        case status(Status)
    }

    /// A URL: a known post or actor, else fetched from its (allowed) node.
    func resolveURL(_ url: String) async throws -> Resolved {
        if let status = try await api.d.statuses.status(uri: url) { return .status(status) }
        if let account = try await api.d.accounts.account(uri: url) { return .account(account) }
        if let status = try await api.d.posts.resolvePost(url: url) { return .status(status) }
        return .account(try await api.d.directory.resolve(url))
    }
}
