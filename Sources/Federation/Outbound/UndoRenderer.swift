import ActivityStreams
import Domain

/// `Undo` of one of the actor's activities: the undone activity as it was sent when it is
/// kept, else its id, type and object; to the record's addressees and the target account.
public struct UndoRenderer: OutboundRenderer {
    public let kinds: [OutgoingActivity.Kind] = [.undo]

    public init() {}

    public func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws {
        let record = activity.record
        if let related = record.relatedURI, let undone = try await context.queue.findActivity(uri: related), let payload = undone.payload,
            !payload.isEmpty, let embedded = try? JSONValue.parse(Array(payload.utf8))
        {
            activity.json["object"] = ObjectDocuments.withoutContext(embedded)
        } else {
            activity.json["object"] = [
                "id": .optional(record.relatedURI), "type": .optional(record.relatedActorURI), "actor": .string(activity.actor.uri),
                "object": .optional(record.objectURI ?? activity.target?.uri),
            ]
        }
        try await activity.addressToRecord(in: context)
        if let target = activity.target { activity.recipients.append(target) }
        activity.direct = !activity.toFollowers
    }
}
