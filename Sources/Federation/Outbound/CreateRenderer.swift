import ActivityStreams
import Domain
import Foundation

/// `Create` of a post: the post as its Note, to its addressees, its author's followers if
/// addressed, and the author of the post it answers.
public struct CreateRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.create]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        try await Self.renderPost(&activity, publishedAt: nil, in: context)
    }

    /// The post (`statusID`) as the activity's object, addressed as the post is; dropped when
    /// the post was deleted before the activity went out. `publishedAt`: the activity's own
    /// time (an edit), else the post's.
    static func renderPost(_ activity: inout RenderedActivity, publishedAt: Date?, in context: OutboundContext) async throws {
        guard let id = activity.record.statusID, let status = try await context.statuses.status(id: id) else {
            activity.dropped = true
            return
        }
        let actor = activity.actor
        activity.json["object"] = ObjectDocuments.note(status, author: actor, node: context.node)
        activity.json["published"] = .string(ASDate.format(publishedAt ?? status.publishedAt))
        activity.json["to"] = .array(status.to.map { .string($0) })
        activity.json["cc"] = .array(status.cc.map { .string($0) })
        (activity.recipients, activity.toFollowers) = try await context.addressees(status.to + status.cc, actor: actor)
        activity.direct = status.visibility == .direct
        // A reply reaches the author of the post it answers (a direct one only when it mentions them).
        if let parentID = status.inReplyToID, let parent = try await context.statuses.status(id: parentID),
            let parentAuthor = try await context.accounts.account(id: parent.accountID),
            status.visibility != .direct || status.mentions.contains(where: { $0.uri == parentAuthor.uri })
        {
            activity.recipients.append(parentAuthor)
        }
    }
}
