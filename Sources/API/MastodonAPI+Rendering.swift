import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// Mastodon's entities for what the routes answer (the Account entity itself is in `MastodonEntities`).
extension MastodonAPI {
    static func respond(_ value: JSONValue, headers: HTTPFields = [:]) -> Response {
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
}
