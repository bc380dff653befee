import ActivityStreams
import Domain

/// `Add` and `Remove` on the actor's featured collection: it pinned or unpinned one of its
/// posts. Other collections are ignored.
public struct FeaturedHandler: InboundHandler {
    public let types = ["Add", "Remove"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let collection = activity.target, collection == actor.featuredURI, let objectID = activity.objectId else { return }
        let add = activity.type == "Add"
        let status = add ? try await context.posts.known(orFetched: objectID) : try await context.statuses.status(uri: objectID)
        guard let status, status.accountID == actor.id, status.reblogOfID == nil else { return }
        if add {
            _ = try await context.statuses.pin(accountID: actor.id, statusID: status.id, publish: nil)
        } else {
            _ = try await context.statuses.unpin(accountID: actor.id, statusID: status.id, publish: nil)
        }
    }
}
