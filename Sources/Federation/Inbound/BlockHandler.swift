import ActivityStreams
import Domain

/// `Block` of a local account: the follows between them end and the blocker's posts are no
/// longer delivered to the blocked.
public struct BlockHandler: InboundHandler {
    public let types = ["Block"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let target = try await context.localAccount(activity.objectId) else { return }
        try await context.graph.block(accountID: actor.id, targetAccountID: target.id, uri: activity.id, publish: nil)
    }
}
