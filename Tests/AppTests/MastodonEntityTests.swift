import ActivityStreams
import Domain
import Foundation
import Testing

@testable import API

/// The typed Mastodon entities write Mastodon's members, in the byte order of their keys (so
/// their bytes are what the same `JSONValue` makes), with the values they were made from.
struct MastodonEntityTests {
    static let account: Account = {
        var account = Account(
            id: 7, username: "alice", domain: nil, displayName: "Alice \"A\"", uri: "https://hq.example/users/alice", url: nil,
            inboxURI: "https://hq.example/users/alice/inbox", sharedInboxURI: nil, publicKeyPEM: "", role: .moderator, email: nil,
            createdAt: Date(timeIntervalSince1970: 1_700_000_123))
        account.fields = [ProfileField(name: "Team", value: "<p>Platform</p>", source: "Platform")]
        account.note = "<p>Hello</p>"
        account.suspended = true
        account.silenced = true
        return account
    }()

    /// The bytes, which must be exactly what the generic writer makes of them (keys sorted).
    func written(_ entity: some JSONWritable) throws -> JSONValue {
        let bytes = JSONWriter.serialize(entity)
        let value = try JSONValue.parse(bytes)
        #expect(value.serialized() == bytes)
        return value
    }

    func keys(_ value: JSONValue?) -> Set<String> {
        guard case .object(let object)? = value else { return [] }
        return Set(object.keys)
    }

    static let accountKeys: Set<String> = [
        "id", "username", "acct", "display_name", "locked", "bot", "discoverable", "indexable", "group", "created_at", "note", "url", "uri",
        "avatar", "avatar_static", "header", "header_static", "followers_count", "following_count", "statuses_count", "last_status_at",
        "hide_collections", "noindex", "emojis", "roles", "fields",
    ]

    @Test func account() throws {
        let counts = AccountCounts(followers: 3, following: 2, statuses: 41)
        let plain = try written(MastodonAccount(Self.account, counts: counts))
        #expect(keys(plain) == Self.accountKeys.union(["suspended", "limited"]))
        #expect(plain["display_name"]?.stringValue == "Alice \"A\"")
        #expect(plain["created_at"]?.stringValue == "2023-11-14T00:00:00.000Z")
        #expect(plain["statuses_count"]?.numberValue == 41)
        #expect(plain["fields"] == [["name": "Team", "value": "<p>Platform</p>", "verified_at": .null]])
        var active = Self.account
        active.suspended = false
        active.silenced = false
        let owner = try written(MastodonAccount(active, counts: counts, withSource: true))
        #expect(keys(owner) == Self.accountKeys.union(["source", "role"]))
        #expect(owner["source"]?["note"]?.stringValue == "Hello")
        #expect(owner["source"]?["fields"] == [["name": "Team", "value": "Platform", "verified_at": .null]])
        #expect(owner["role"]?["name"]?.stringValue == "Moderator")
        #expect(owner["role"]?["permissions"]?.stringValue == "1")
    }

    @Test func statusWithABoostMentionsTagsAndItsText() throws {
        let author = MastodonAccount(Self.account, counts: AccountCounts())
        var original = MastodonStatus(
            id: "1", createdAt: "2026-01-01T00:00:00.000Z", inReplyToID: "9", inReplyToAccountID: "8", sensitive: true, spoilerText: "cw",
            visibility: "public", language: "en", uri: "https://hq.example/statuses/1", url: "https://hq.example/@alice/1", repliesCount: 1,
            reblogsCount: 2, favouritesCount: 3, editedAt: "2026-01-02T00:00:00.000Z", favourited: true, reblogged: false, bookmarked: true,
            pinned: false, localOnly: false, content: "<p>hi</p>", reblog: nil, account: author,
            mentions: [.init(id: "8", username: "bob", url: "https://sub.example/@bob", acct: "bob@sub.example")],
            tags: [.init(name: "launch", url: "https://hq.example/tags/launch")])
        var boost = original
        boost.id = "2"
        boost.url = nil
        boost.reblog = .init(original)
        original.text = "hi"
        let keys: Set<String> = [
            "id", "created_at", "in_reply_to_id", "in_reply_to_account_id", "sensitive", "spoiler_text", "visibility", "language", "uri",
            "url", "replies_count", "reblogs_count", "favourites_count", "edited_at", "favourited", "reblogged", "muted", "bookmarked",
            "pinned", "local_only", "content", "filtered", "reblog", "application", "account", "media_attachments", "mentions", "tags",
            "emojis", "card", "poll",
        ]
        let value = try written(boost)
        #expect(self.keys(value) == keys)
        #expect(self.keys(value["reblog"]) == keys)
        #expect(value["url"] == .null)
        #expect(value["reblog"]?["id"]?.stringValue == "1")
        #expect(value["mentions"]?.listValue.first?["acct"]?.stringValue == "bob@sub.example")
        #expect(value["tags"] == [["name": "launch", "url": "https://hq.example/tags/launch"]])
        #expect(value["favourites_count"]?.numberValue == 3)
        let deleted = try written(original)
        #expect(self.keys(deleted) == keys.union(["text"]))
        #expect(deleted["text"]?.stringValue == "hi")
        #expect(deleted["reblog"] == .null)
    }

    @Test func relationshipNotificationSearchAndContext() throws {
        let relationship = try written(
            MastodonRelationship(
                id: "5", following: true, notifying: true, followedBy: false, blocking: false, blockedBy: true, muting: true,
                mutingNotifications: false, requested: false, requestedBy: true))
        #expect(
            keys(relationship) == [
                "id", "following", "showing_reblogs", "notifying", "languages", "followed_by", "blocking", "blocked_by", "muting",
                "muting_notifications", "requested", "requested_by", "domain_blocking", "endorsed", "note",
            ])
        #expect(relationship["showing_reblogs"] == true)
        #expect(relationship["blocked_by"] == true)
        let author = MastodonAccount(Self.account, counts: AccountCounts())
        let notification = try written(MastodonNotification(id: "12", type: "follow", createdAt: "2026-01-01T00:00:00.000Z", account: author))
        #expect(keys(notification) == ["id", "type", "created_at", "account", "group_key"])
        #expect(notification["group_key"]?.stringValue == "ungrouped-12")
        let search = try written(MastodonSearchResults(accounts: [author], statuses: [], hashtags: [.init(name: "x", url: "https://hq.example/tags/x")]))
        #expect(keys(search) == ["accounts", "statuses", "hashtags"])
        #expect(search["hashtags"] == [["name": "x", "url": "https://hq.example/tags/x", "history": [], "following": false]])
        let context = try written(MastodonContext(ancestors: [MastodonStatus](), descendants: JSONValue.array([])))
        #expect(context == ["ancestors": [], "descendants": []])
    }

    @Test func instanceV1AndV2() throws {
        var instance = MastodonInstance(
            version: .v1, domain: "hq.example", baseURL: "https://hq.example", softwareVersion: "4.3.0 (compatible; Kith 0.1.0)",
            maxPostLength: 5000, registrationMode: .approval, users: 12, localPosts: 345, activeMonth: 6)
        let v1 = try written(instance)
        #expect(
            keys(v1) == [
                "uri", "title", "short_description", "description", "email", "version", "urls", "stats", "thumbnail", "languages",
                "registrations", "approval_required", "invites_enabled", "configuration", "contact_account", "rules",
            ])
        #expect(v1["urls"] == ["streaming_api": "wss://hq.example"])
        #expect(v1["stats"] == ["user_count": 12, "status_count": 345, "domain_count": 0])
        #expect(v1["registrations"] == true)
        #expect(v1["approval_required"] == true)
        #expect(keys(v1["configuration"]) == ["accounts", "statuses", "media_attachments", "polls"])
        #expect(v1["configuration"]?["statuses"]?["max_characters"]?.numberValue == 5000)
        instance.version = .v2
        let v2 = try written(instance)
        #expect(
            keys(v2) == [
                "domain", "title", "version", "source_url", "description", "usage", "thumbnail", "icon", "languages", "configuration",
                "registrations", "api_versions", "contact", "rules",
            ])
        #expect(v2["usage"] == ["users": ["active_month": 6]])
        #expect(v2["registrations"] == ["enabled": true, "approval_required": true, "message": .null])
        #expect(keys(v2["configuration"]) == ["accounts", "statuses", "media_attachments", "polls", "urls", "translation"])
        #expect(v2["configuration"]?["urls"] == ["streaming": "wss://hq.example"])
        #expect(v2["configuration"]?["polls"] == ["max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746])
    }
}
