import ActivityStreams
import Domain

/// `Delete` of a post (a Tombstone, signed by its author so that nodes whose accounts boosted
/// it can forward it) or of the actor itself, to the record's addressees.
public struct DeleteRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.delete]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        activity.json["object"] = ["id": .optional(activity.record.objectURI), "type": "Tombstone"]
        try await activity.addressToRecord(in: context)
        activity.signed = activity.record.objectURI != activity.actor.uri && activity.actor.isLocal
    }
}
