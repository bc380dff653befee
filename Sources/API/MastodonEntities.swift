import ActivityStreams
import Domain
import Foundation

/// Mastodon's entity JSON (docs.joinmastodon.org/entities), built from Kith's types.
enum MastodonEntities {
    static func date(_ date: Date) -> JSONValue {
        .string(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// The Account entity with its follower, following and post counts from storage.
    static func account(
        _ account: Account, graph: any SocialGraphRepository, node: String, withSource: Bool = false
    ) async throws -> JSONValue {
        let counts = try await graph.accountCounts(ids: [account.id])[account.id] ?? AccountCounts()
        return Self.account(account, counts: (counts.followers, counts.following, counts.statuses), node: node, withSource: withSource)
    }

    /// The Account entity; `source` adds what only its owner sees (verify_credentials).
    static func account(
        _ account: Account, counts: (followers: Int, following: Int, statuses: Int), node: String, withSource: Bool = false
    ) -> JSONValue {
        let avatar = account.avatarURL ?? ""
        var object: [String: JSONValue] = [
            "id": .string(String(account.id)),
            "username": .string(account.username),
            "acct": .string(account.acct),
            "display_name": .string(account.displayName),
            "locked": .bool(account.locked),
            "bot": .bool(account.actorType == "Service" || account.actorType == "Application"),
            "discoverable": .bool(account.discoverable),
            "indexable": false,
            "group": .bool(account.actorType == "Group"),
            // Midnight UTC of the day the account was made, as Mastodon shows it.
            "created_at": date(Date(timeIntervalSince1970: (account.createdAt.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)),
            "note": .string(account.note),
            "url": .string(account.url ?? account.uri),
            "uri": .string(account.uri),
            "avatar": .string(avatar),
            "avatar_static": .string(avatar),
            "header": "",
            "header_static": "",
            "followers_count": .number(Double(counts.followers)),
            "following_count": .number(Double(counts.following)),
            "statuses_count": .number(Double(counts.statuses)),
            "last_status_at": .null,
            "hide_collections": false,
            "noindex": false,
            "emojis": [],
            "roles": [],
            "fields": .array(account.fields.map { ["name": .string($0.name), "value": .string($0.value), "verified_at": .null] }),
        ]
        // Mastodon marks moderated accounts so clients can show it.
        if account.suspended { object["suspended"] = true }
        if account.silenced { object["limited"] = true }
        if withSource {
            // What the owner typed: plain text, as update_credentials takes it.
            let fields: [JSONValue] = account.fields.map {
                ["name": .string($0.name), "value": .string($0.source ?? HTMLSanitizer.plainText($0.value)), "verified_at": .null]
            }
            object["source"] = [
                "privacy": "public", "sensitive": false, "language": .null, "note": .string(HTMLSanitizer.plainText(account.note)),
                "fields": .array(fields),
                "follow_requests_count": 0, "hide_collections": false, "discoverable": .bool(account.discoverable), "indexable": false,
            ]
            object["role"] = [
                "id": .string(String(Role.allCases.firstIndex(of: account.role) ?? 0)), "name": .string(account.role.rawValue.capitalized),
                "color": "", "permissions": .string(account.role == .user ? "0" : "1"), "highlighted": .bool(account.role != .user),
            ]
        }
        return .object(object)
    }
}
