import ActivityStreams
import Domain

/// `Add` and `Remove` of a post on the actor's featured collection (a pin, an unpin).
public struct FeaturedRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.add, .remove]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        activity.json["object"] = .optional(activity.record.objectURI)
        activity.json["target"] = .optional(activity.record.relatedURI)
        try await activity.addressToRecord(in: context)
    }
}
