import ActivityStreams
import Domain

/// `Accept` and `Reject` of a follow of the actor: the Follow as the object, to its follower.
public struct AcceptRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.accept, .reject]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        activity.json["object"] = [
            "id": .optional(activity.record.relatedURI), "type": "Follow", "actor": .optional(activity.record.relatedActorURI),
            "object": .string(activity.actor.uri),
        ]
        activity.recipients = activity.target.map { [$0] } ?? []
        activity.direct = true
    }

    /// The follower and the followed know of it already.
    public func isServable(_ record: OutgoingActivity) -> Bool { true }
}
