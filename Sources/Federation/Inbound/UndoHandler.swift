import ActivityStreams
import Domain

/// `Undo` of the actor's own `Follow`, `Like`, `Announce` or `Block`, embedded or named by id.
public struct UndoHandler: InboundHandler {
    public let types = ["Undo"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let object = activity.object, let undoneID = object.idValue else { return }
        if let innerActor = object["actor"]?.idValue, innerActor != actor.uri { return }  // only one's own activities
        var type = ASObject.types(of: object).first
        if type == nil { type = try await Self.kind(of: undoneID, in: context) }
        let graph = context.graph
        let statuses = context.statuses
        switch type {
        case "Follow":
            var targetID = try await context.localAccount(object["object"]?.idValue)?.id
            if targetID == nil, let follow = try await graph.findFollow(uri: undoneID), follow.accountID == actor.id {
                targetID = follow.targetAccountID
            }
            if let targetID { _ = try await graph.removeFollow(accountID: actor.id, targetAccountID: targetID, publish: nil) }
        case "Like":
            if let favourite = try await statuses.findFavourite(uri: undoneID), favourite.accountID == actor.id {
                _ = try await statuses.unfavourite(accountID: actor.id, statusID: favourite.statusID, publish: nil)
            } else if let statusURI = object["object"]?.idValue, let status = try await statuses.status(uri: statusURI) {
                _ = try await statuses.unfavourite(accountID: actor.id, statusID: status.id, publish: nil)
            }
        case "Announce":
            if let reblog = try await statuses.status(uri: undoneID), reblog.accountID == actor.id, reblog.reblogOfID != nil {
                try await statuses.delete(id: reblog.id, publish: nil)
            }
        case "Block":
            if let target = try await context.localAccount(object["object"]?.idValue) {
                try await graph.unblock(accountID: actor.id, targetAccountID: target.id, publish: nil)
            }
        default:
            break
        }
    }

    /// What a bare id names: a follow, a favourite or a boost known here.
    static func kind(of id: String, in context: InboundContext) async throws -> String? {
        if try await context.graph.findFollow(uri: id) != nil { return "Follow" }
        if try await context.statuses.findFavourite(uri: id) != nil { return "Like" }
        if try await context.statuses.status(uri: id) != nil { return "Announce" }
        return nil
    }
}
