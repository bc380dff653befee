import ActivityStreams
import Domain

/// `Flag`: a report sent on in the node's name (Mastodon's shape): no addressing, the reported
/// actor and posts as the object, the comment as content, to the reported actor's node.
public struct FlagRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.flag]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        let record = activity.record
        activity.json["actor"] = .string(context.node.applicationActorURI)
        activity.json["object"] = .array(([record.objectURI].compactMap { $0 } + record.objectURIs).map { .string($0) })
        activity.json["content"] = .string(record.content ?? "")
        activity.json["to"] = nil
        activity.json["cc"] = nil
        activity.recipients = activity.target.map { [$0] } ?? []
    }

    /// A report is for the reported node's moderators alone.
    public func isServable(_ record: OutgoingActivity) -> Bool { false }
}
