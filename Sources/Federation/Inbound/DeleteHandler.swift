import ActivityStreams
import Domain

/// `Delete` of the actor itself (its account and posts go) or of one of its posts, which is
/// then forwarded to where local accounts' boosts took it.
public struct DeleteHandler: InboundHandler {
    public let types = ["Delete"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let objectID = activity.objectId else { return }
        if objectID == actor.uri {
            try await context.accounts.deleteRemote(uri: actor.uri)
        } else if let status = try await context.statuses.status(uri: objectID), status.accountID == actor.id {
            let boosters = try await context.accounts.accounts(ids: try await context.statuses.boosterIDs(of: status.id)).filter(\.isLocal)
            try await context.statuses.delete(id: status.id, publish: nil)
            try await Self.forward(activity, of: status, author: actor, boostedBy: boosters, in: context)
        }
    }

    /// Mastodon's `forward_for_reblogs`: a Delete of a public or unlisted post that local
    /// accounts boosted goes on, as it came, to their followers on other nodes, so the post
    /// disappears where the boosts took it. Only a Delete its author signed (an object integrity
    /// proof) is forwarded: the receivers verify it against the author, not against this node.
    static func forward(
        _ activity: ASActivity, of status: Status, author: Account, boostedBy boosters: [Account], in context: InboundContext
    ) async throws {
        guard let booster = boosters.first, status.visibility == .public || status.visibility == .unlisted,
            activity.raw["proof"] != nil, let id = activity.id
        else { return }
        var inboxes = Set<String>()
        for account in boosters { inboxes.formUnion(try await context.graph.followerInboxes(of: account.id)) }
        inboxes.subtract([author.inboxURI, author.sharedInboxURI].compactMap { $0 })
        guard !inboxes.isEmpty else { return }
        var forwarded = OutgoingActivity(
            uri: id + "#forwarded-by-" + booster.username, accountID: booster.id, kind: .delete, objectURI: status.uri)
        forwarded.extraInboxes = inboxes.sorted()
        forwarded.forwardedPayload = String(decoding: activity.raw.serialized(), as: UTF8.self)
        try await context.publish(forwarded)
        context.logger.debug("delete forwarded", metadata: ["inboxes": "\(inboxes.count)"])
    }
}
