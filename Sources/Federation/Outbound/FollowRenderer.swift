import ActivityStreams
import Domain

/// `Follow` and `Block` of an account: its URI as the object, to that account's own inbox.
public struct FollowRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.follow, .block]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        activity.json["object"] = .optional(activity.target?.uri ?? activity.record.objectURI)
        activity.recipients = activity.target.map { [$0] } ?? []
        activity.direct = true
    }

    /// A follow is known to both parties anyway; a block is never shown.
    public func isServable(_ record: OutgoingActivity) -> Bool {
        record.kind == .follow
    }
}
