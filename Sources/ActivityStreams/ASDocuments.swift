import Foundation

/// The public collection: addressing to it makes a post public.
public enum ASPublic {
    public static let id = "https://www.w3.org/ns/activitystreams#Public"
    /// The forms servers use for it (compacted JSON-LD shortens it).
    public static let aliases: Set<String> = [id, "as:Public", "Public"]
    public static func isPublic(_ id: String) -> Bool { aliases.contains(id) }
}

/// A remote or local actor read from its ActivityPub document.
public struct ASActor: Sendable, Equatable {
    public var id: String
    public var type: String
    public var preferredUsername: String
    public var name: String?
    public var summary: String?
    public var url: String?
    public var iconURL: String?
    public var inbox: String
    public var outbox: String?
    public var followers: String?
    public var following: String?
    public var featured: String?
    public var sharedInbox: String?
    public var publicKeyId: String?
    public var publicKeyPEM: String?
    public var manuallyApprovesFollowers: Bool
    public var discoverable: Bool
    public var published: Date?
    /// `PropertyValue` attachments (profile fields): name as given, value HTML as given.
    public var propertyValues: [PropertyValue]
    /// The Ed25519 keys it publishes for object integrity proofs (FEP-521a `assertionMethod`
    /// Multikeys controlled by the actor).
    public var assertionMethods: [AssertionMethod] = []

    public struct AssertionMethod: Sendable, Equatable {
        public var id: String
        public var publicKeyMultibase: String
    }

    public struct PropertyValue: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public static let actorTypes: Set<String> = ["Person", "Service", "Application", "Group", "Organization"]

    /// Reads an actor document. Needs `id`, an actor `type`, and `inbox`; everything else is
    /// optional and read leniently.
    public init(_ json: JSONValue) throws {
        guard let object = json.objectValue else { throw ActivityStreamsError("the actor document is not a JSON object") }
        guard let id = object["id"]?.stringValue, !id.isEmpty else { throw ActivityStreamsError("the actor has no id") }
        guard let type = ASObject.types(of: json).first(where: { Self.actorTypes.contains($0) }) else {
            throw ActivityStreamsError("\(id) is not an actor (type \(ASObject.types(of: json)))")
        }
        guard let inbox = object["inbox"]?.idValue else { throw ActivityStreamsError("the actor \(id) has no inbox") }
        self.id = id
        self.type = type
        self.inbox = inbox
        preferredUsername = object["preferredUsername"]?.stringValue ?? ASObject.lastPathComponent(id)
        name = object["name"]?.stringValue
        summary = object["summary"]?.stringValue
        url = ASObject.firstURL(object["url"])
        iconURL = ASObject.firstURL(object["icon"])
        outbox = object["outbox"]?.idValue
        followers = object["followers"]?.idValue
        following = object["following"]?.idValue
        featured = object["featured"]?.idValue
        sharedInbox = object["endpoints"]?["sharedInbox"]?.idValue ?? object["sharedInbox"]?.idValue
        // publicKey may be one object, or an array of them (some servers list several).
        let keys = object["publicKey"]?.listValue.compactMap(\.objectValue) ?? []
        let key = keys.first { ($0["owner"]?.idValue ?? id) == id } ?? keys.first
        publicKeyId = key?["id"]?.stringValue
        publicKeyPEM = key?["publicKeyPem"]?.stringValue
        manuallyApprovesFollowers = object["manuallyApprovesFollowers"]?.boolValue ?? false
        discoverable = object["discoverable"]?.boolValue ?? false
        published = object["published"]?.stringValue.flatMap(ASDate.parse)
        propertyValues = Self.propertyValues(json)
        assertionMethods = (object["assertionMethod"]?.listValue ?? []).compactMap { method in
            guard ASObject.types(of: method).contains("Multikey"), let keyID = method["id"]?.stringValue,
                let multibase = method["publicKeyMultibase"]?.stringValue, (method["controller"]?.idValue ?? id) == id
            else { return nil }
            return AssertionMethod(id: keyID, publicKeyMultibase: multibase)
        }
    }

    /// The `PropertyValue` items of an actor's `attachment`.
    public static func propertyValues(_ json: JSONValue) -> [PropertyValue] {
        (json["attachment"]?.listValue ?? []).compactMap { item in
            guard ASObject.types(of: item).contains("PropertyValue"), let name = item["name"]?.stringValue else { return nil }
            return PropertyValue(name: name, value: item["value"]?.stringValue ?? "")
        }
    }
}

/// A post-like object (`Note`, `Article`, `Page`, `Question`, `Video`, …) read leniently.
public struct ASPost: Sendable {
    public var id: String
    public var type: String
    public var attributedTo: String
    public var to: [String]
    public var cc: [String]
    /// HTML as sent (sanitised before display by the client API layer).
    public var content: String
    /// Title for `Article`/`Page`/`Video`; the question for `Question`.
    public var name: String?
    public var summary: String?
    public var sensitive: Bool
    public var inReplyTo: String?
    public var published: Date?
    public var updated: Date?
    public var url: String?
    public var context: String?
    public var language: String?
    /// Mention tags: the actor's id and the name shown (`@user@domain`).
    public var mentions: [(href: String, name: String)]
    public var hashtags: [String]
    public var attachments: [Attachment]

    public struct Attachment: Sendable, Equatable {
        public var url: String
        public var mediaType: String?
        public var name: String?
    }

    public static let postTypes: Set<String> = ["Note", "Article", "Page", "Question", "Video", "Audio", "Image", "Event"]

    public init(_ json: JSONValue) throws {
        guard let object = json.objectValue else { throw ActivityStreamsError("the object is not a JSON object") }
        guard let id = object["id"]?.stringValue, !id.isEmpty else { throw ActivityStreamsError("the object has no id") }
        guard let type = ASObject.types(of: json).first(where: { Self.postTypes.contains($0) }) else {
            throw ActivityStreamsError("\(id) is not a post (type \(ASObject.types(of: json)))")
        }
        // attributedTo may list several actors (PeerTube: a Person and a channel Group; Lemmy:
        // objects): the author is the first Person, else the first.
        let attributions = object["attributedTo"]?.listValue ?? []
        let author =
            attributions.first { ASObject.types(of: $0).contains("Person") }?.idValue ?? attributions.first?.idValue
        guard let author else { throw ActivityStreamsError("\(id) has no attributedTo") }
        self.id = id
        self.type = type
        attributedTo = author
        to = object["to"]?.idList ?? []
        cc = object["cc"]?.idList ?? []
        name = object["name"]?.stringValue ?? object["nameMap"]?.objectValue?.values.first?.stringValue
        content = ASObject.content(object) ?? ""
        summary = object["summary"]?.stringValue
        sensitive = object["sensitive"]?.boolValue ?? false
        inReplyTo = object["inReplyTo"]?.idValue
        published = object["published"]?.stringValue.flatMap(ASDate.parse)
        updated = object["updated"]?.stringValue.flatMap(ASDate.parse)
        url = ASObject.firstURL(object["url"])
        context = object["context"]?.idValue ?? object["conversation"]?.idValue
        language = object["contentMap"]?.objectValue?.keys.sorted().first
        var mentions: [(href: String, name: String)] = []
        var hashtags: [String] = []
        for tag in object["tag"]?.listValue ?? [] {
            let types = ASObject.types(of: tag)
            if types.contains("Mention"), let href = tag["href"]?.stringValue {
                mentions.append((href, tag["name"]?.stringValue ?? ""))
            } else if types.contains("Hashtag"), let tagName = tag["name"]?.stringValue {
                hashtags.append(tagName.hasPrefix("#") ? String(tagName.dropFirst()) : tagName)
            }
        }
        self.mentions = mentions
        self.hashtags = hashtags
        attachments = (object["attachment"]?.listValue ?? []).compactMap { item in
            guard let url = ASObject.firstURL(item["url"]) ?? item["href"]?.stringValue else { return nil }
            return Attachment(url: url, mediaType: item["mediaType"]?.stringValue, name: item["name"]?.stringValue)
        }
        if type != "Note", content.isEmpty {
            // Articles, pages and videos may carry their text only in name/summary/source;
            // keep it rather than storing an empty post.
            content = object["source"]?["content"]?.stringValue.map(ASObject.escapeHTML) ?? ""
            // Early Lemmy put a post's title in `summary` and sent no `name`.
            if content.isEmpty, name == nil, let title = summary {
                name = title
                summary = nil
            }
        }
    }
}

/// Helpers for reading any AS2 object.
public enum ASObject {
    /// `type` as a list (it may be a string or an array).
    public static func types(of json: JSONValue) -> [String] {
        json["type"]?.listValue.compactMap(\.stringValue) ?? []
    }

    /// `content`, else the first `contentMap` entry (some servers send only the map).
    public static func content(_ object: [String: JSONValue]) -> String? {
        if let content = object["content"]?.stringValue { return content }
        guard let map = object["contentMap"]?.objectValue else { return nil }
        return map.keys.sorted().lazy.compactMap { map[$0]?.stringValue }.first
    }

    /// The first usable URL in a `url`/`icon` value: a string, a Link or Image object (`href` or
    /// `url`), or an array of those, preferring text/html links.
    public static func firstURL(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        let candidates = value.listValue
        func url(_ item: JSONValue) -> String? {
            if let s = item.stringValue { return s }
            if let href = item["href"]?.stringValue { return href }
            if let inner = item["url"] { return firstURL(inner) }
            return nil
        }
        if let html = candidates.first(where: { $0["mediaType"]?.stringValue == "text/html" }), let found = url(html) {
            return found
        }
        return candidates.lazy.compactMap(url).first
    }

    static func lastPathComponent(_ id: String) -> String {
        id.split(separator: "/").last.map(String.init) ?? id
    }

    public static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// An activity (`Create`, `Follow`, `Undo`, …) read leniently.
public struct ASActivity: Sendable, Equatable {
    /// May be nil: a few servers send transient activities without an id.
    public var id: String?
    public var type: String
    public var actor: String
    /// The object: an id, or an embedded object.
    public var object: JSONValue?
    public var target: String?
    public var to: [String]
    public var cc: [String]
    public var raw: JSONValue

    public init(_ json: JSONValue) throws {
        guard let object = json.objectValue else { throw ActivityStreamsError("the activity is not a JSON object") }
        guard let type = ASObject.types(of: json).first else { throw ActivityStreamsError("the activity has no type") }
        guard let actor = object["actor"]?.listValue.first?.idValue ?? object["attributedTo"]?.idValue else {
            throw ActivityStreamsError("the \(type) activity has no actor")
        }
        id = object["id"]?.stringValue
        self.type = type
        self.actor = actor
        self.object = object["object"]
        target = object["target"]?.idValue
        to = object["to"]?.idList ?? []
        cc = object["cc"]?.idList ?? []
        raw = json
    }

    /// The id of the activity's object, whether embedded or referenced.
    public var objectId: String? { object?.listValue.first?.idValue }
}

/// ISO 8601 dates as ActivityPub servers write them (with or without fractional seconds).
public enum ASDate {
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
