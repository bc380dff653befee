import ActivityStreams
import Domain

/// `Like` of a post known here: a favourite.
public struct LikeHandler: InboundHandler {
    public let types = ["Like"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let objectID = activity.objectId, let status = try await context.statuses.status(uri: objectID) else { return }
        _ = try await context.statuses.favourite(accountID: actor.id, statusID: status.id, uri: activity.id, publish: nil)
    }
}
