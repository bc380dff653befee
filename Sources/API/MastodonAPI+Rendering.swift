import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// Mastodon's entities (`MastodonEntities.swift`) for what the routes answer, with what they show read in few queries.
extension MastodonAPI {
    static func respond(_ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        let writable: any JSONWritable = value
        return respond(writable, headers: headers)
    }

    /// A typed entity, or a list of them, as the answer.
    static func respond(_ value: some JSONWritable, headers: HTTPFields = [:]) -> Response {
        var response = DocumentResponse.json(value, contentType: Self.json)
        for field in headers { response.headers.append(field) }
        return response
    }

    func accountEntity(_ account: Account, viewer: Account?, withSource: Bool = false) async throws -> MastodonAccount {
        let counts = try await d.graph.accountCounts(ids: [account.id])[account.id] ?? AccountCounts()
        return MastodonAccount(account, counts: counts, withSource: withSource)
    }

    func relationship(viewer: Account, account: Account) async throws -> MastodonRelationship {
        let following = try await d.graph.findFollow(accountID: viewer.id, targetAccountID: account.id)
        let followedBy = try await d.graph.findFollow(accountID: account.id, targetAccountID: viewer.id)
        let mute = try await d.graph.mute(accountID: viewer.id, targetAccountID: account.id)
        return MastodonRelationship(
            id: String(account.id), following: following?.state == .accepted, notifying: following?.notify ?? false,
            followedBy: followedBy?.state == .accepted,
            blocking: try await d.graph.isBlocking(accountID: viewer.id, targetAccountID: account.id),
            blockedBy: try await d.graph.isBlocking(accountID: account.id, targetAccountID: viewer.id),
            muting: mute != nil, mutingNotifications: mute?.hideNotifications ?? false,
            requested: following?.state == .pending, requestedBy: followedBy?.state == .pending)
    }

    /// Status entities for a page of posts. Everything they show (boosted originals, authors and
    /// their counts, mentioned accounts, each post's counts, the viewer's marks, reply parents'
    /// authors) is read in at most three queries for the whole page, not per post.
    func statusEntities(_ statuses: [Status], viewer: Account) async throws -> [MastodonStatus] {
        try await renderStatuses(statuses, viewer: viewer).entities
    }

    /// The entities and what they were made from.
    func renderStatuses(_ statuses: [Status], viewer: Account) async throws -> (entities: [MastodonStatus], page: StatusPageData) {
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
        var result: [MastodonStatus] = []
        result.reserveCapacity(statuses.count)
        for status in statuses {
            // A post whose author is gone (deleted meanwhile) is left out, as a 404 would be.
            if let entity = statusEntity(status, page: page) { result.append(entity) }
        }
        return (result, page)
    }

    func statusEntity(_ status: Status, viewer: Account) async throws -> MastodonStatus {
        guard let entity = try await statusEntities([status], viewer: viewer).first else { throw KithError(.notFound, "Record not found") }
        return entity
    }

    struct StatusPageData {
        var details: [Int64: StatusDetails]
        var originals: [Int64: Status] = [:]
        var authors: [Int64: (account: Account, counts: AccountCounts)] = [:]
        var mentioned: [String: Account] = [:]
    }

    func statusEntity(_ status: Status, page: StatusPageData) -> MastodonStatus? {
        guard let (author, authorCounts) = page.authors[status.accountID].map({ ($0.account, $0.counts) }) else { return nil }
        var reblog: MastodonStatus.Reblog?
        if let originalID = status.reblogOfID, let original = page.originals[originalID] {
            guard let entity = statusEntity(original, page: page) else { return nil }
            reblog = .init(entity)
        }
        let details = page.details[status.id] ?? StatusDetails()
        let counts = details.counts
        let mentions = status.mentions.compactMap { mention -> MastodonStatus.Mention? in
            guard let account = page.mentioned[mention.uri] else { return nil }
            return .init(id: String(account.id), username: account.username, url: account.url ?? account.uri, acct: account.acct)
        }
        return MastodonStatus(
            id: String(status.id), createdAt: MastodonEntities.dateText(status.publishedAt), inReplyToID: status.inReplyToID.map(String.init),
            inReplyToAccountID: details.parentAccountID.map(String.init), sensitive: status.sensitive, spoilerText: status.spoilerText,
            visibility: status.visibility.rawValue, language: status.language, uri: status.uri,
            url: status.reblogOfID == nil ? (status.url ?? status.uri) : nil,
            repliesCount: counts.replies, reblogsCount: counts.reblogs, favouritesCount: counts.favourites,
            editedAt: status.editedAt.map(MastodonEntities.dateText), favourited: details.favourited, reblogged: details.reblogged,
            bookmarked: details.bookmarked, pinned: details.pinned, localOnly: status.localOnly, content: status.content, reblog: reblog,
            account: MastodonAccount(author, counts: authorCounts), mentions: mentions,
            tags: status.tags.map { .init(name: $0, url: "\(d.node.baseURL)/tags/\($0)") })
    }

    func notificationEntity(_ notification: Domain.Notification, viewer: Account) async throws -> MastodonNotification? {
        guard let from = try await d.accounts.account(id: notification.fromAccountID) else { return nil }
        var status: MastodonStatus?
        if let statusID = notification.statusID {
            guard let found = try await d.statuses.status(id: statusID) else { return nil }
            status = try await statusEntity(found, viewer: viewer)
        }
        return MastodonNotification(
            id: String(notification.id), type: notification.type.rawValue, createdAt: MastodonEntities.dateText(notification.createdAt),
            account: try await accountEntity(from, viewer: viewer), status: status)
    }
}
