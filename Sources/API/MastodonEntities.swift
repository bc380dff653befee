import ActivityStreams
import Domain
import Foundation

// Mastodon's entities (docs.joinmastodon.org/entities), typed: each is made from Kith's types
// and writes itself through the fast JSON writer, its members in their keys' byte order.

enum MastodonEntities {
    static func date(_ date: Date) -> JSONValue {
        .string(dateText(date))
    }

    static func dateText(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// An empty array, for the lists Kith does not fill yet (emojis, media, filters).
struct EmptyList: JSONWritable {
    func write(to json: inout JSONWriter) { json.literal("[]") }
}

/// Mastodon's Account; `source` and `role` are what only its owner sees (verify_credentials).
struct MastodonAccount: JSONWritable {
    struct Field: JSONWritable {
        var name: String
        var value: String

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.field("name", name)
                json.field("value", value)
                json.field("verified_at", JSONValue.null)
            }
        }
    }

    /// What the owner typed: plain text, as update_credentials takes it.
    struct Source: JSONWritable {
        var discoverable: Bool
        var fields: [Field]
        var note: String

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.field("discoverable", discoverable)
                json.field("fields", fields)
                json.field("follow_requests_count", 0)
                json.field("hide_collections", false)
                json.field("indexable", false)
                json.field("language", JSONValue.null)
                json.field("note", note)
                json.field("privacy", "public")
                json.field("sensitive", false)
            }
        }
    }

    struct RoleEntity: JSONWritable {
        var id: String
        var name: String
        var staff: Bool

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.field("color", "")
                json.field("highlighted", staff)
                json.field("id", id)
                json.field("name", name)
                json.field("permissions", staff ? "1" : "0")
            }
        }
    }

    var id: String
    var username: String
    var acct: String
    var displayName: String
    var locked: Bool
    var bot: Bool
    var discoverable: Bool
    var group: Bool
    var createdAt: String
    var note: String
    var url: String
    var uri: String
    var avatar: String
    var followersCount: Int
    var followingCount: Int
    var statusesCount: Int
    var fields: [Field]
    /// Mastodon marks moderated accounts so clients can show it (the members are absent otherwise).
    var suspended: Bool
    var limited: Bool
    var source: Source?
    var role: RoleEntity?

    init(_ account: Account, counts: AccountCounts, withSource: Bool = false) {
        id = String(account.id)
        username = account.username
        acct = account.acct
        displayName = account.displayName
        locked = account.locked
        bot = account.actorType == "Service" || account.actorType == "Application"
        discoverable = account.discoverable
        group = account.actorType == "Group"
        // Midnight UTC of the day the account was made, as Mastodon shows it.
        createdAt = MastodonEntities.dateText(Date(timeIntervalSince1970: (account.createdAt.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400))
        note = account.note
        url = account.url ?? account.uri
        uri = account.uri
        avatar = account.avatarURL ?? ""
        followersCount = counts.followers
        followingCount = counts.following
        statusesCount = counts.statuses
        fields = account.fields.map { Field(name: $0.name, value: $0.value) }
        suspended = account.suspended
        limited = account.silenced
        if withSource {
            source = Source(
                discoverable: account.discoverable,
                fields: account.fields.map { Field(name: $0.name, value: $0.source ?? HTMLSanitizer.plainText($0.value)) },
                note: HTMLSanitizer.plainText(account.note))
            role = RoleEntity(
                id: String(Role.allCases.firstIndex(of: account.role) ?? 0), name: account.role.rawValue.capitalized, staff: account.role != .user)
        }
    }

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("acct", acct)
            json.field("avatar", avatar)
            json.field("avatar_static", avatar)
            json.field("bot", bot)
            json.field("created_at", createdAt)
            json.field("discoverable", discoverable)
            json.field("display_name", displayName)
            json.field("emojis", EmptyList())
            json.field("fields", fields)
            json.field("followers_count", followersCount)
            json.field("following_count", followingCount)
            json.field("group", group)
            json.field("header", "")
            json.field("header_static", "")
            json.field("hide_collections", false)
            json.field("id", id)
            json.field("indexable", false)
            json.field("last_status_at", JSONValue.null)
            if limited { json.field("limited", true) }
            json.field("locked", locked)
            json.field("noindex", false)
            json.field("note", note)
            if let role { json.field("role", role) }
            json.field("roles", EmptyList())
            if let source { json.field("source", source) }
            json.field("statuses_count", statusesCount)
            if suspended { json.field("suspended", true) }
            json.field("uri", uri)
            json.field("url", url)
            json.field("username", username)
        }
    }
}

/// Mastodon's Status.
struct MastodonStatus: JSONWritable {
    struct Mention: JSONWritable {
        var id: String
        var username: String
        var url: String
        var acct: String

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.field("acct", acct)
                json.field("id", id)
                json.field("url", url)
                json.field("username", username)
            }
        }
    }

    struct Tag: JSONWritable {
        var name: String
        var url: String

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.field("name", name)
                json.field("url", url)
            }
        }
    }

    /// A boost's original post (a class, as the entity holds itself).
    final class Reblog: Sendable {
        let status: MastodonStatus
        init(_ status: MastodonStatus) { self.status = status }
    }

    var id: String
    var createdAt: String
    var inReplyToID: String?
    var inReplyToAccountID: String?
    var sensitive: Bool
    var spoilerText: String
    var visibility: String
    var language: String?
    var uri: String
    var url: String?
    var repliesCount: Int
    var reblogsCount: Int
    var favouritesCount: Int
    var editedAt: String?
    var favourited: Bool
    var reblogged: Bool
    var bookmarked: Bool
    var pinned: Bool
    var localOnly: Bool
    var content: String
    var reblog: Reblog?
    var account: MastodonAccount
    var mentions: [Mention]
    var tags: [Tag]
    /// The post's source text: only in the answer to its deletion (for "delete and redraft").
    var text: String?

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("account", account)
            json.field("application", JSONValue.null)
            json.field("bookmarked", bookmarked)
            json.field("card", JSONValue.null)
            json.field("content", content)
            json.field("created_at", createdAt)
            json.field("edited_at", editedAt)
            json.field("emojis", EmptyList())
            json.field("favourited", favourited)
            json.field("favourites_count", favouritesCount)
            json.field("filtered", EmptyList())
            json.field("id", id)
            json.field("in_reply_to_account_id", inReplyToAccountID)
            json.field("in_reply_to_id", inReplyToID)
            json.field("language", language)
            json.field("local_only", localOnly)
            json.field("media_attachments", EmptyList())
            json.field("mentions", mentions)
            json.field("muted", false)
            json.field("pinned", pinned)
            json.field("poll", JSONValue.null)
            json.field("reblog", reblog?.status)
            json.field("reblogged", reblogged)
            json.field("reblogs_count", reblogsCount)
            json.field("replies_count", repliesCount)
            json.field("sensitive", sensitive)
            json.field("spoiler_text", spoilerText)
            json.field("tags", tags)
            if let text { json.field("text", text) }
            json.field("uri", uri)
            json.field("url", url)
            json.field("visibility", visibility)
        }
    }
}

/// Mastodon's Relationship: what the reader and one account are to each other.
struct MastodonRelationship: JSONWritable {
    var id: String
    var following: Bool
    var notifying: Bool
    var followedBy: Bool
    var blocking: Bool
    var blockedBy: Bool
    var muting: Bool
    var mutingNotifications: Bool
    var requested: Bool
    var requestedBy: Bool

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("blocked_by", blockedBy)
            json.field("blocking", blocking)
            json.field("domain_blocking", false)
            json.field("endorsed", false)
            json.field("followed_by", followedBy)
            json.field("following", following)
            json.field("id", id)
            json.field("languages", JSONValue.null)
            json.field("muting", muting)
            json.field("muting_notifications", mutingNotifications)
            json.field("note", "")
            json.field("notifying", notifying)
            json.field("requested", requested)
            json.field("requested_by", requestedBy)
            json.field("showing_reblogs", following)
        }
    }
}

/// Mastodon's Notification; `status` only for the types about a post.
struct MastodonNotification: JSONWritable {
    var id: String
    var type: String
    var createdAt: String
    var account: MastodonAccount
    var status: MastodonStatus?

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("account", account)
            json.field("created_at", createdAt)
            json.field("group_key", "ungrouped-" + id)
            json.field("id", id)
            if let status { json.field("status", status) }
            json.field("type", type)
        }
    }
}

/// Mastodon's Context: a post's ancestors and descendants.
struct MastodonContext: JSONWritable {
    var ancestors: any JSONWritable
    var descendants: any JSONWritable

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("ancestors", ancestors)
            json.field("descendants", descendants)
        }
    }
}

/// Mastodon's Tag, as search finds it (no history kept yet, not followed).
struct MastodonHashtag: JSONWritable {
    var name: String
    var url: String

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("following", false)
            json.field("history", EmptyList())
            json.field("name", name)
            json.field("url", url)
        }
    }
}

/// Mastodon's Search: accounts, posts and hashtags.
struct MastodonSearchResults: JSONWritable {
    var accounts: [MastodonAccount]
    var statuses: [MastodonStatus]
    var hashtags: [MastodonHashtag]

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("accounts", accounts)
            json.field("hashtags", hashtags)
            json.field("statuses", statuses)
        }
    }
}

/// Mastodon's Instance, as `/api/v1/instance` (V1) and `/api/v2/instance` (V2) answer it.
struct MastodonInstance: JSONWritable {
    enum Version {
        case v1, v2
    }

    var version: Version
    var domain: String
    var baseURL: String
    var softwareVersion: String
    var maxPostLength: Int
    var registrationMode: RegistrationMode
    var users: Int
    var localPosts: Int
    var activeMonth: Int

    static let description = "A Kith node: the enterprise social network."
    var streaming: String { baseURL.replacingOccurrences(of: "http", with: "ws", options: .anchored) }
    var registrationsOpen: Bool { registrationMode == .open || registrationMode == .approval }

    func write(to json: inout JSONWriter) {
        switch version {
        case .v1: writeV1(to: &json)
        case .v2: writeV2(to: &json)
        }
    }

    func writeV1(to json: inout JSONWriter) {
        json.object { json in
            json.field("approval_required", registrationMode == .approval)
            json.field("configuration", Configuration(instance: self))
            json.field("contact_account", JSONValue.null)
            json.field("description", Self.description)
            json.field("email", "")
            json.field("invites_enabled", registrationMode == .invite)
            json.field("languages", ["en"])
            json.field("registrations", registrationsOpen)
            json.field("rules", EmptyList())
            json.field("short_description", Self.description)
            json.object(named: "stats") { json in
                json.field("domain_count", 0)
                json.field("status_count", localPosts)
                json.field("user_count", users)
            }
            json.field("thumbnail", JSONValue.null)
            json.field("title", domain)
            json.field("uri", domain)
            json.object(named: "urls") { json in json.field("streaming_api", streaming) }
            json.field("version", softwareVersion)
        }
    }

    func writeV2(to json: inout JSONWriter) {
        json.object { json in
            json.object(named: "api_versions") { json in json.field("mastodon", 2) }
            json.field("configuration", Configuration(instance: self))
            json.object(named: "contact") { json in
                json.field("account", JSONValue.null)
                json.field("email", "")
            }
            json.field("description", Self.description)
            json.field("domain", domain)
            json.field("icon", EmptyList())
            json.field("languages", ["en"])
            json.object(named: "registrations") { json in
                json.field("approval_required", registrationMode == .approval)
                json.field("enabled", registrationsOpen)
                json.field("message", JSONValue.null)
            }
            json.field("rules", EmptyList())
            json.field("source_url", baseURL)
            json.object(named: "thumbnail") { json in json.field("url", "") }
            json.field("title", domain)
            json.object(named: "usage") { json in
                json.object(named: "users") { json in json.field("active_month", activeMonth) }
            }
            json.field("version", softwareVersion)
        }
    }

    /// What clients read to decide what they may send: limits, and (V2) the streaming URL.
    struct Configuration: JSONWritable {
        var instance: MastodonInstance

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.object(named: "accounts") { json in
                    json.field("max_featured_tags", 10)
                    json.field("max_pinned_statuses", 5)
                }
                json.object(named: "media_attachments") { json in
                    json.field("image_matrix_limit", 33_177_600)
                    json.field("image_size_limit", 16_777_216)
                    json.field("supported_mime_types", ["image/jpeg", "image/png", "image/gif", "image/webp"])
                    json.field("video_frame_rate_limit", 120)
                    json.field("video_matrix_limit", 8_294_400)
                    json.field("video_size_limit", 103_809_024)
                }
                json.object(named: "polls") { json in
                    json.field("max_characters_per_option", 50)
                    json.field("max_expiration", 2_629_746)
                    json.field("max_options", 4)
                    json.field("min_expiration", 300)
                }
                json.object(named: "statuses") { json in
                    json.field("characters_reserved_per_url", 23)
                    // Posts may be kept on this node (`local_only` on create), as Hometown and glitch-soc offer.
                    json.field("local_only", true)
                    json.field("max_characters", instance.maxPostLength)
                    json.field("max_media_attachments", 4)
                }
                if instance.version == .v2 {
                    json.object(named: "translation") { json in json.field("enabled", false) }
                    json.object(named: "urls") { json in json.field("streaming", instance.streaming) }
                }
            }
        }
    }
}
