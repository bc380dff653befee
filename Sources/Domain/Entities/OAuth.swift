import struct Foundation.Date

/// A set of OAuth scopes as Mastodon defines them: top-level (`read`, `write`, `follow`,
/// `push`, `profile`, `admin:read`, `admin:write`) and granular (`read:statuses`,
/// `admin:read:accounts`, …). A scope covers the scopes below it.
public struct Scopes: Sendable, Equatable, CustomStringConvertible {
    public let values: [String]

    static let topLevel: Set<String> = ["read", "write", "follow", "push", "profile", "admin:read", "admin:write"]
    static let read = ["accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes", "notifications", "search", "statuses"]
    static let write = ["accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists", "media", "mutes", "notifications", "reports", "statuses"]
    static let admin = ["accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks", "canonical_email_blocks"]
    /// Every scope a client may ask for.
    public static let known: Set<String> = {
        var all = topLevel
        all.formUnion(read.map { "read:\($0)" })
        all.formUnion(write.map { "write:\($0)" })
        all.formUnion(admin.map { "admin:read:\($0)" })
        all.formUnion(admin.map { "admin:write:\($0)" })
        return all
    }()
    /// What the legacy `follow` scope stands for.
    static let followCovers: Set<String> = ["read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes"]

    /// Parses a space- (or `+`-, or comma-) separated list. Unknown scopes are an error.
    public init(parsing text: String) throws(KithError) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "+" || $0 == "," }).map(String.init)
        var seen: [String] = []
        for part in parts where !seen.contains(part) {
            guard Self.known.contains(part) else { throw KithError(.invalidInput, "unknown scope '\(part)'") }
            seen.append(part)
        }
        values = seen
    }

    public init(_ values: [String]) {
        self.values = values
    }

    public var description: String { values.joined(separator: " ") }

    /// Whether these scopes grant `required`.
    public func allows(_ required: String) -> Bool {
        values.contains { granted in
            granted == required || required.hasPrefix(granted + ":") || (granted == "follow" && Self.followCovers.contains(required))
        }
    }

    /// Whether every scope of `other` is granted by these.
    public func covers(_ other: Scopes) -> Bool {
        other.values.allSatisfy(allows)
    }
}

/// A client application registered with `POST /api/v1/apps`.
public struct OAuthApplication: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var website: String?
    public var redirectURIs: [String]
    public var scopes: Scopes
    public var clientID: String
    public var createdAt: Date

    public init(id: Int64, name: String, website: String?, redirectURIs: [String], scopes: Scopes, clientID: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.website = website
        self.redirectURIs = redirectURIs
        self.scopes = scopes
        self.clientID = clientID
        self.createdAt = createdAt
    }
}

/// An access token as the node knows it (the token itself is only ever returned once).
public struct AccessToken: Sendable, Equatable {
    public var id: Int64
    public var application: OAuthApplication
    /// nil for a client-credentials token (the application acting for itself).
    public var accountID: Int64?
    public var scopes: Scopes
    public var createdAt: Date
    /// The account, when the token was read with it (an authenticated request reads both at once).
    public var account: Account?

    public init(id: Int64, application: OAuthApplication, accountID: Int64?, scopes: Scopes, createdAt: Date) {
        self.id = id
        self.application = application
        self.accountID = accountID
        self.scopes = scopes
        self.createdAt = createdAt
    }
}

/// A stored authorization code.
public struct AuthorizationCode: Sendable, Equatable {
    public var applicationID: Int64
    public var accountID: Int64
    public var redirectURI: String
    public var scopes: Scopes
    public var codeChallenge: String?
    public var expiresAt: Date

    public init(applicationID: Int64, accountID: Int64, redirectURI: String, scopes: Scopes, codeChallenge: String?, expiresAt: Date) {
        self.applicationID = applicationID
        self.accountID = accountID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.codeChallenge = codeChallenge
        self.expiresAt = expiresAt
    }
}
