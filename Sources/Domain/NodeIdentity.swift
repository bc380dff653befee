/// Who this node is on the network: every ActivityPub id it mints derives from `baseURL`.
public struct NodeIdentity: Sendable, Equatable {
    /// `https://social.example.com`, without trailing slash.
    public let baseURL: String
    /// `social.example.com` (with `:port` when not the scheme's default): the `acct:` domain.
    public let domain: String

    public init(baseURL: String, domain: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.domain = domain.lowercased()
    }

    /// The node's application actor (FEP-2677), which signs the node's own fetches.
    public var applicationActorURI: String { baseURL + "/actor" }
    public var applicationKeyID: String { applicationActorURI + "#main-key" }
    public var sharedInboxURI: String { baseURL + "/inbox" }

    public func actorURI(username: String) -> String { "\(baseURL)/users/\(username)" }
    public func profileURL(username: String) -> String { "\(baseURL)/@\(username)" }
}
