import ActivityStreams
import Domain
import Foundation

/// Turns a recorded outgoing activity into its JSON and the inboxes it goes to. Runs at
/// fan-out time, so it renders the state that was committed with the activity. What each kind
/// holds is its renderer's (`Outbound/`); this adds what all share: the envelope, the inboxes
/// (followers' shared inboxes, peers this node federates with) and the author's signature.
public struct ActivityRenderer: Sendable {
    let renderers: OutboundRenderers
    let context: OutboundContext
    let graph: any SocialGraphRepository
    let policy: DomainPolicyService
    /// Signs what must verify whoever forwards it (a Delete of a post).
    let keys: AssertionKeys?

    public init(
        renderers: OutboundRenderers, context: OutboundContext, graph: any SocialGraphRepository, policy: DomainPolicyService,
        keys: AssertionKeys? = nil
    ) {
        self.renderers = renderers
        self.context = context
        self.graph = graph
        self.policy = policy
        self.keys = keys
    }

    public func render(_ published: PublishedActivity) async throws -> (payload: String, inboxes: [String]) {
        let record = published.activity
        // A forwarded activity was recorded with its JSON: it goes out as it came.
        if let forwarded = published.payload, !forwarded.isEmpty {
            return (forwarded, record.deliver ? try await allowed(record.extraInboxes) : [])
        }
        guard let renderer = renderers[record.kind] else {
            throw KithError(.invalidInput, "no renderer for \(record.kind.rawValue) activities")
        }
        guard let actor = try await context.accounts.account(id: record.accountID) else {
            throw KithError(.notFound, "the actor of \(published.uri) is gone")
        }
        var target: Account?
        if let id = record.targetAccountID { target = try await context.accounts.account(id: id) }
        var json: [String: JSONValue] = [
            "id": .string(published.uri), "type": .string(record.kind.rawValue), "actor": .string(actor.uri),
        ]
        if !record.to.isEmpty { json["to"] = .array(record.to.map { .string($0) }) }
        if !record.cc.isEmpty { json["cc"] = .array(record.cc.map { .string($0) }) }
        var activity = RenderedActivity(published: published, actor: actor, target: target, json: json)
        try await renderer.render(&activity, in: context)
        if activity.dropped { return ("", []) }  // what it was about is gone: nothing to send

        var inboxes = Set(Addressing.inboxes(for: activity.recipients, direct: activity.direct))
        if activity.toFollowers {
            inboxes.formUnion(try await graph.followerInboxes(of: actor.id))
        }
        inboxes.formUnion(record.extraInboxes)
        var document = ObjectDocuments.withContext(.object(activity.json))
        if activity.signed, let keys {
            // Signed by the author (FEP-8b32), so that a node that boosted the post can forward
            // the Delete to its followers and they can check it is the author's.
            document = try await keys.sign(document, as: actor)
        }
        let payload = String(decoding: document.serialized(), as: UTF8.self)
        return (payload, record.deliver ? try await allowed(Array(inboxes)) : [])
    }

    /// Of `inboxes`, those of other nodes this one federates with, sorted.
    func allowed(_ inboxes: [String]) async throws -> [String] {
        var allowed: [String] = []
        for inbox in Set(inboxes).sorted() where !isLocal(inbox) {
            if try await policy.allows(uri: inbox) { allowed.append(inbox) }
        }
        return allowed
    }

    func isLocal(_ uri: String) -> Bool {
        uri.hasPrefix(context.node.baseURL + "/")
    }
}
