import ActivityStreams
import Domain
import Foundation

/// Posts as `Note` objects (and boosts as `Announce`), as this node serves and sends them.
public enum ObjectDocuments {
    /// A status as its ActivityPub object, without `@context` (add it with `withContext`).
    public static func note(_ status: Status, author: Account, node: NodeIdentity) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(status.uri),
            "type": .string(status.objectType),
            "url": .string(status.url ?? status.uri),
            "attributedTo": .string(author.uri),
            "to": .array(status.to.map { .string($0) }),
            "cc": .array(status.cc.map { .string($0) }),
            "content": .string(status.content),
            "published": .string(ASDate.format(status.publishedAt)),
            "sensitive": .bool(status.sensitive),
            "summary": status.spoilerText.isEmpty ? .null : .string(status.spoilerText),
            "inReplyTo": .optional(status.inReplyToURI),
            "attachment": [],
        ]
        if let language = status.language { object["contentMap"] = [language: .string(status.content)] }
        if let edited = status.editedAt { object["updated"] = .string(ASDate.format(edited)) }
        if let title = status.title { object["name"] = .string(title) }
        if let context = status.contextURI {
            object["context"] = .string(context)
            object["conversation"] = .string(context)
        }
        var tags: [JSONValue] = status.mentions.map { ["type": "Mention", "href": .string($0.uri), "name": .string($0.name)] }
        tags += status.tags.map { ["type": "Hashtag", "href": .string("\(node.baseURL)/tags/\($0)"), "name": .string("#\($0)")] }
        object["tag"] = .array(tags)
        return .object(object)
    }

    /// The `Create` activity of a local post.
    public static func create(_ status: Status, author: Account, node: NodeIdentity) -> JSONValue {
        [
            "id": .string(status.uri + "/activity"),
            "type": "Create",
            "actor": .string(author.uri),
            "published": .string(ASDate.format(status.publishedAt)),
            "to": .array(status.to.map { .string($0) }),
            "cc": .array(status.cc.map { .string($0) }),
            "object": note(status, author: author, node: node),
        ]
    }

    /// A boost as an `Announce` of the original post's id.
    public static func announce(_ reblog: Status, originalURI: String, author: Account) -> JSONValue {
        [
            "id": .string(reblog.uri),
            "type": "Announce",
            "actor": .string(author.uri),
            "published": .string(ASDate.format(reblog.publishedAt)),
            "to": .array(reblog.to.map { .string($0) }),
            "cc": .array(reblog.cc.map { .string($0) }),
            "object": .string(originalURI),
        ]
    }

    public static func withContext(_ value: JSONValue) -> JSONValue {
        guard var object = value.objectValue else { return value }
        object["@context"] = KithContext.value
        return .object(object)
    }

    public static func withoutContext(_ value: JSONValue) -> JSONValue {
        guard var object = value.objectValue else { return value }
        object["@context"] = nil
        return .object(object)
    }
}

/// Who a post or activity is addressed to, and which inboxes that means.
public enum Addressing {
    /// to/cc for a local post of `visibility` by `author`, mentioning `mentioned` actors.
    public static func audience(visibility: Visibility, author: Account, mentioned: [String]) -> (to: [String], cc: [String]) {
        let followers = author.followersURI ?? author.uri + "/followers"
        switch visibility {
        case .public: return ([ASPublic.id], [followers] + mentioned)
        case .unlisted: return ([followers], [ASPublic.id] + mentioned)
        case .private: return ([followers], mentioned)
        case .direct: return (mentioned, [])
        }
    }

    /// The visibility a remote post's addressing means (`followers`: the author's followers
    /// collection, which may be absent).
    public static func visibility(to: [String], cc: [String], followers: String?) -> Visibility {
        if to.contains(where: ASPublic.isPublic) { return .public }
        if cc.contains(where: ASPublic.isPublic) { return .unlisted }
        if let followers, (to + cc).contains(followers) { return .private }
        return .direct
    }

    /// One inbox per distinct destination: shared inboxes where actors have one (so a node with
    /// many followers gets one delivery), personal inboxes for direct messages; never this
    /// node's own; sorted.
    public static func inboxes(for recipients: [Account], direct: Bool) -> [String] {
        var inboxes = Set<String>()
        for account in recipients where !account.isLocal {
            inboxes.insert(direct ? account.inboxURI : (account.sharedInboxURI ?? account.inboxURI))
        }
        return inboxes.sorted()
    }
}
