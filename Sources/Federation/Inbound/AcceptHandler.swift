import ActivityStreams
import Domain

/// `Accept` and `Reject` of a local account's follow, by the followed actor: the follow is
/// accepted, or gone.
public struct AcceptHandler: InboundHandler {
    public let types = ["Accept", "Reject"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let object = activity.object else { return }
        var follow: Follow?
        if let id = object.idValue { follow = try await context.graph.findFollow(uri: id) }
        if follow == nil, let follower = try await context.localAccount(object["actor"]?.idValue) {
            follow = try await context.graph.findFollow(accountID: follower.id, targetAccountID: actor.id)
        }
        guard let follow, follow.targetAccountID == actor.id else { return }
        if activity.type == "Accept" {
            try await context.graph.setFollowState(id: follow.id, state: .accepted, publish: nil)
        } else {
            _ = try await context.graph.removeFollow(accountID: follow.accountID, targetAccountID: actor.id, publish: nil)
        }
    }
}
