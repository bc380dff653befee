import ActivityStreams
import Domain

/// `Like` of a post: to the post's author.
public struct LikeRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.like]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        activity.json["object"] = .optional(activity.record.objectURI)
        activity.recipients = activity.target.map { [$0] } ?? []
        activity.direct = true
    }

    /// The post's author knows of it already; Mastodon serves likes too.
    public func isServable(_ record: OutgoingActivity) -> Bool { true }
}
