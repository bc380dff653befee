import Domain

/// Who hears of what: one rule per notification type. Only this node's own accounts are
/// notified, and nobody of their own action. Storage writes the notifications in the same
/// statement as the change they tell of (`NotificationSQL`, one fragment per rule), and a
/// storage test holds each fragment to its rule here.
public enum NotificationRules {
    /// `mention`: each local account a new post mentions, but its author.
    public static func mention(_ recipient: Account, in post: Status) -> Bool {
        recipient.isLocal && recipient.id != post.accountID && post.mentions.contains { $0.uri == recipient.uri }
    }

    /// `status`: a local follower who asked to hear of each new post (`notify`) and is accepted,
    /// for the account's own posts — not boosts, not direct ones, and replies only within its own
    /// threads (`parentAuthorID`: the author of the post answered, if it is known).
    public static func status(_ recipient: Account, follow: Follow, post: Status, parentAuthorID: Int64?) -> Bool {
        guard recipient.isLocal, follow.accountID == recipient.id, follow.targetAccountID == post.accountID else { return false }
        guard follow.notify, follow.state == .accepted, post.reblogOfID == nil, post.visibility != .direct else { return false }
        return post.inReplyToURI == nil || parentAuthorID == post.accountID
    }

    /// `reblog`: the local author of a boosted post, but the booster.
    public static func reblog(_ recipient: Account, original: Status, boost: Status) -> Bool {
        recipient.isLocal && recipient.id == original.accountID && boost.accountID != recipient.id
    }

    /// `favourite`: the local author of a favourited post, but the one who favourited it.
    public static func favourite(_ recipient: Account, post: Status, by accountID: Int64) -> Bool {
        recipient.isLocal && recipient.id == post.accountID && accountID != recipient.id
    }

    /// `follow` or `follow_request`: a local account followed, by the state the follow is in.
    public static func follow(_ recipient: Account, state: FollowState) -> NotificationType? {
        guard recipient.isLocal else { return nil }
        return state == .accepted ? .follow : .followRequest
    }

    /// `update`: each local account that boosted a post, when the post's author edits it.
    public static func update(_ recipient: Account, boost: Status, edited: Status) -> Bool {
        recipient.isLocal && boost.accountID == recipient.id && boost.reblogOfID == edited.id && recipient.id != edited.accountID
    }
}
