import ActivityStreams
import Domain
import Foundation

/// `Announce` of a post: a boost (the post fetched from its origin when not known, or taken
/// from a group's Announce when the group's node speaks for it).
public struct AnnounceHandler: InboundHandler {
    public let types = ["Announce"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let objectID = activity.objectId, let announceID = activity.id else { return }
        guard DomainPolicyService.domain(of: announceID) == DomainPolicyService.domain(of: actor.uri) else { return }
        var original = try await context.statuses.status(uri: objectID)
        if original == nil, actor.actorType == "Group", let embedded = try await context.posts.embedded(in: activity, by: actor) {
            original = embedded
        }
        if original == nil {
            // An embedded copy is not trusted: the post is fetched from its origin.
            original = try await context.posts.known(orFetched: objectID)
        }
        guard let original, original.reblogOfID == nil else { return }
        // A boost from elsewhere of a post of ours that its audience alone may see is ignored,
        // unless the booster is a group the post was addressed to.
        if original.local,
            original.localOnly
                || (!(original.visibility == .public || original.visibility == .unlisted) && !(original.to + original.cc).contains(actor.uri))
        {
            return
        }
        let reblog = Status(
            uri: announceID, accountID: actor.id, local: false, objectType: "Announce", reblogOfID: original.id, content: "",
            visibility: Addressing.visibility(to: activity.to, cc: activity.cc, followers: actor.followersURI), to: activity.to,
            cc: activity.cc, publishedAt: (activity.raw["published"]?.stringValue).flatMap(ASDate.parse) ?? Date())
        do {
            _ = try await context.statuses.insert(reblog, publish: nil)
        } catch let error as KithError where error.kind == .conflict {
            return
        }
    }
}
