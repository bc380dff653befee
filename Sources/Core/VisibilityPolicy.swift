import Domain

/// Who may see a post: the one rule behind the Mastodon API, ActivityPub fetches and every
/// action that names a post (a reply, a like, a boost), so no path can act on what its actor
/// could not read.
///
/// Public and unlisted posts: anyone. Followers-only: the author, accepted followers and the
/// accounts it mentions. Direct: the author and the accounts it mentions (a post to a secret
/// group is direct to the group, so non-members do not see it). Local-only posts: this node's
/// own accounts only, never an anonymous reader or another node.
public struct VisibilityPolicy: Sendable {
    let graph: any SocialGraphRepository

    public init(graph: any SocialGraphRepository) {
        self.graph = graph
    }

    /// Whether `viewer` (nil: an anonymous reader) may see `status`.
    public func canSee(_ status: Status, viewer: Account?) async throws -> Bool {
        if status.localOnly, viewer?.isLocal != true { return false }
        switch status.visibility {
        case .public, .unlisted: return true
        case .private:
            guard let viewer else { return false }
            if status.accountID == viewer.id || status.mentions.contains(where: { $0.uri == viewer.uri }) { return true }
            return try await graph.findFollow(accountID: viewer.id, targetAccountID: status.accountID)?.state == .accepted
        case .direct:
            guard let viewer else { return false }
            return status.accountID == viewer.id || status.mentions.contains { $0.uri == viewer.uri }
        }
    }

    /// `status` when `viewer` may see it; otherwise 404, as Mastodon answers, so nothing tells
    /// the post exists.
    public func require(_ status: Status?, viewer: Account?) async throws -> Status {
        guard let status, try await canSee(status, viewer: viewer) else { throw KithError(.notFound, "Record not found") }
        return status
    }
}
