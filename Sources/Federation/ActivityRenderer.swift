import ActivityStreams
import Domain
import Foundation

/// Turns a recorded outgoing activity into its JSON and the inboxes it goes to. Runs at
/// fan-out time, so it renders the state that was committed with the activity.
public struct ActivityRenderer: Sendable {
    let accounts: any RemoteAccountRepository
    let graph: any SocialGraphRepository
    let statuses: any StatusRepository
    let queue: any ActivityQueueRepository
    let policy: DomainPolicyService
    let node: NodeIdentity
    /// Signs what must verify whoever forwards it (a Delete of a post), and publishes the key in
    /// a profile's Update.
    let keys: AssertionKeys?

    public init(
        accounts: any RemoteAccountRepository, graph: any SocialGraphRepository, statuses: any StatusRepository,
        queue: any ActivityQueueRepository, policy: DomainPolicyService, node: NodeIdentity, keys: AssertionKeys? = nil
    ) {
        self.keys = keys
        self.accounts = accounts
        self.graph = graph
        self.statuses = statuses
        self.queue = queue
        self.policy = policy
        self.node = node
    }

    public func render(_ published: PublishedActivity) async throws -> (payload: String, inboxes: [String]) {
        let activity = published.activity
        // A forwarded activity was recorded with its JSON: it goes out as it came.
        if let forwarded = published.payload, !forwarded.isEmpty {
            return (forwarded, activity.deliver ? try await allowed(activity.extraInboxes) : [])
        }
        guard let actor = try await accounts.account(id: activity.accountID) else {
            throw KithError(.notFound, "the actor of \(published.uri) is gone")
        }
        var target: Account?
        if let id = activity.targetAccountID { target = try await accounts.account(id: id) }
        var json: [String: JSONValue] = [
            "id": .string(published.uri), "type": .string(activity.kind.rawValue), "actor": .string(actor.uri),
        ]
        var recipients: [Account] = []
        var toFollowers = false
        var direct = false
        if !activity.to.isEmpty { json["to"] = .array(activity.to.map { .string($0) }) }
        if !activity.cc.isEmpty { json["cc"] = .array(activity.cc.map { .string($0) }) }

        switch activity.kind {
        case .create,
            .update where activity.statusID != nil:  // an Update with a status edits a post
            guard let id = activity.statusID, let status = try await statuses.status(id: id) else {
                return ("", [])  // deleted before it went out: nothing to send
            }
            json["object"] = ObjectDocuments.note(status, author: actor, node: node)
            json["published"] = .string(ASDate.format(activity.kind == .create ? status.publishedAt : published.createdAt))
            json["to"] = .array(status.to.map { .string($0) })
            json["cc"] = .array(status.cc.map { .string($0) })
            (recipients, toFollowers) = try await addressees(status.to + status.cc, actor: actor)
            direct = status.visibility == .direct
            if let parentID = status.inReplyToID, let parent = try await statuses.status(id: parentID),
                let parentAuthor = try await accounts.account(id: parent.accountID), status.visibility != .direct || status.mentions.contains(where: { $0.uri == parentAuthor.uri })
            {
                recipients.append(parentAuthor)
            }
        case .update:
            json["object"] = ObjectDocuments.withoutContext(
                ActorDocuments.person(actor, node: node, assertionKey: try await keys?.published(by: actor)))
            json["to"] = [.string(ASPublic.id)]
            json["cc"] = [.string(actor.followersURI ?? actor.uri + "/followers")]
            toFollowers = true
        case .delete:
            json["object"] = ["id": .optional(activity.objectURI), "type": "Tombstone"]
            (recipients, toFollowers) = try await addressees(activity.to + activity.cc, actor: actor)
        case .follow, .block:
            json["object"] = .optional(target?.uri ?? activity.objectURI)
            recipients = target.map { [$0] } ?? []
            direct = true
        case .accept, .reject:
            json["object"] = [
                "id": .optional(activity.relatedURI), "type": "Follow", "actor": .optional(activity.relatedActorURI),
                "object": .string(actor.uri),
            ]
            recipients = target.map { [$0] } ?? []
            direct = true
        case .like:
            json["object"] = .optional(activity.objectURI)
            recipients = target.map { [$0] } ?? []
            direct = true
        case .flag:
            // A report sent on in the node's name (Mastodon's shape): no addressing, the reported
            // actor and posts as the object, the comment as content.
            json["actor"] = .string(node.applicationActorURI)
            json["object"] = .array(([activity.objectURI].compactMap { $0 } + activity.objectURIs).map { .string($0) })
            json["content"] = .string(activity.content ?? "")
            json["to"] = nil
            json["cc"] = nil
            recipients = target.map { [$0] } ?? []
        case .add, .remove:
            json["object"] = .optional(activity.objectURI)
            json["target"] = .optional(activity.relatedURI)
            (recipients, toFollowers) = try await addressees(activity.to + activity.cc, actor: actor)
        case .announce:
            json["object"] = .optional(activity.objectURI)
            // A group embeds the post it shares (FEP-1b12), so members' nodes need not fetch a
            // post that only the group's members may see.
            if actor.actorType == "Group", let id = activity.statusID, let reblog = try await statuses.status(id: id),
                let originalID = reblog.reblogOfID, let original = try await statuses.status(id: originalID),
                let author = try await accounts.account(id: original.accountID)
            {
                json["object"] = ObjectDocuments.note(original, author: author, node: node)
                json["audience"] = .string(actor.uri)
            }
            json["published"] = .string(ASDate.format(published.createdAt))
            (recipients, toFollowers) = try await addressees(activity.to + activity.cc, actor: actor)
        case .undo:
            if let related = activity.relatedURI, let undone = try await queue.findActivity(uri: related), let payload = undone.payload,
                !payload.isEmpty, let embedded = try? JSONValue.parse(Array(payload.utf8))
            {
                json["object"] = ObjectDocuments.withoutContext(embedded)
            } else {
                json["object"] = [
                    "id": .optional(activity.relatedURI), "type": .optional(activity.relatedActorURI), "actor": .string(actor.uri),
                    "object": .optional(activity.objectURI ?? target?.uri),
                ]
            }
            (recipients, toFollowers) = try await addressees(activity.to + activity.cc, actor: actor)
            if let target { recipients.append(target) }
            direct = !toFollowers
        }

        var inboxes = Set(Addressing.inboxes(for: recipients, direct: direct))
        if toFollowers {
            inboxes.formUnion(try await graph.followerInboxes(of: actor.id))
        }
        inboxes.formUnion(activity.extraInboxes)
        var document = ObjectDocuments.withContext(.object(json))
        if activity.kind == .delete, activity.objectURI != actor.uri, let keys, actor.isLocal {
            // Signed by the author (FEP-8b32), so that a node that boosted the post can forward
            // the Delete to its followers and they can check it is the author's.
            document = try await keys.sign(document, as: actor)
        }
        let payload = String(decoding: document.serialized(), as: UTF8.self)
        return (payload, activity.deliver ? try await allowed(Array(inboxes)) : [])
    }

    /// Of `inboxes`, those of other nodes this one federates with, sorted.
    func allowed(_ inboxes: [String]) async throws -> [String] {
        var allowed: [String] = []
        for inbox in Set(inboxes).sorted() where !isLocal(inbox) {
            if try await policy.allows(uri: inbox) { allowed.append(inbox) }
        }
        return allowed
    }

    /// The accounts named in to/cc (remote ones known here), and whether the author's followers
    /// are addressed.
    func addressees(_ uris: [String], actor: Account) async throws -> ([Account], Bool) {
        var accountsFound: [Account] = []
        var followers = false
        for uri in Set(uris) {
            if ASPublic.isPublic(uri) { continue }
            if uri == (actor.followersURI ?? actor.uri + "/followers") {
                followers = true
            } else if let account = try await accounts.account(uri: uri) {
                accountsFound.append(account)
            }
        }
        return (accountsFound, followers)
    }

    func isLocal(_ uri: String) -> Bool {
        uri.hasPrefix(node.baseURL + "/")
    }
}
