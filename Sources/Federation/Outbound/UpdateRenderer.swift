import ActivityStreams
import Domain

/// `Update` of a post (an edit, rendered as its Create is) or, with no post, of the actor's
/// profile (to its followers, with its published keys).
public struct UpdateRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.update]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        if activity.record.statusID != nil {
            try await CreateRenderer.renderPost(&activity, publishedAt: activity.published.createdAt, in: context)
            return
        }
        let actor = activity.actor
        activity.json["object"] = ObjectDocuments.withoutContext(
            ActorDocuments.person(actor, node: context.node, assertionKey: try await context.keys?.published(by: actor)))
        activity.json["to"] = [.string(ASPublic.id)]
        activity.json["cc"] = [.string(actor.followersURI ?? actor.uri + "/followers")]
        activity.toFollowers = true
    }

    /// A profile or a post as it is served anyway.
    public func isServable(_ record: OutgoingActivity) -> Bool { true }
}
