/// A key pair of the node itself (not of an account), such as the application actor's.
public struct NodeKeyPair: Sendable, Equatable {
    public var publicKeyPEM: String
    public var privateKeyPEM: String

    public init(publicKeyPEM: String, privateKeyPEM: String) {
        self.publicKeyPEM = publicKeyPEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// What NodeInfo reports about use of the node.
public struct NodeUsage: Sendable, Equatable {
    public var users: Int
    /// Local accounts that posted in the last 30 and 180 days.
    public var activeMonth: Int
    public var activeHalfyear: Int
    public var localPosts: Int

    public init(users: Int, activeMonth: Int, activeHalfyear: Int, localPosts: Int) {
        self.users = users
        self.activeMonth = activeMonth
        self.activeHalfyear = activeHalfyear
        self.localPosts = localPosts
    }
}
