import ActivityStreams
import Domain

/// `Announce` of a post (a boost). A group embeds the post it shares (FEP-1b12), so members'
/// nodes need not fetch a post that only the group's members may see.
public struct AnnounceRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.announce]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        let actor = activity.actor
        activity.json["object"] = .optional(activity.record.objectURI)
        if actor.actorType == "Group", let id = activity.record.statusID, let reblog = try await context.statuses.status(id: id),
            let originalID = reblog.reblogOfID, let original = try await context.statuses.status(id: originalID),
            let author = try await context.accounts.account(id: original.accountID)
        {
            activity.json["object"] = ObjectDocuments.note(original, author: author, node: context.node)
            activity.json["audience"] = .string(actor.uri)
        }
        activity.json["published"] = .string(ASDate.format(activity.published.createdAt))
        try await activity.addressToRecord(in: context)
    }
}
