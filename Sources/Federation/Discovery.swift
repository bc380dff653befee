import ActivityStreams
import Domain
import Foundation

/// WebFinger (RFC 7033) as the fediverse uses it: `acct:user@domain` to the actor's id.
public enum WebFinger {
    public static let mediaType = "application/jrd+json"
    public static let profilePageRel = "http://webfinger.net/rel/profile-page"

    /// Who a `resource` asks about.
    public enum Query: Sendable, Equatable {
        /// A local account's username.
        case account(String)
        /// The application actor.
        case application
    }

    /// Reads a `resource` as RFC 7033 asks: a URI. `acct:user@domain` (RFC 7565) and this
    /// node's `https:`/`http:` actor and profile URLs are served. Something that is not a URI
    /// (`user@domain` with no scheme) or a malformed `acct:` URI is `.invalidInput` (400); a
    /// well-formed URI of another scheme (`mailto:`), another domain or an unknown path is
    /// `.notFound` (404).
    public static func parse(resource raw: String, node: NodeIdentity) throws -> Query {
        let resource = raw.trimmingCharacters(in: .whitespaces)
        guard !resource.isEmpty, resource.count <= 512 else { throw KithError(.invalidInput, "resource must be a URI: acct:user@domain or a URL") }
        guard let scheme = uriScheme(resource) else {
            throw KithError(.invalidInput, "resource '\(resource)' is not a URI (RFC 7033): write acct:\(resource.hasPrefix("@") ? String(resource.dropFirst()) : resource)")
        }
        switch scheme {
        case "https", "http":
            guard let url = URLComponents(string: resource), let host = url.host else {
                throw KithError(.invalidInput, "resource '\(resource)' is not a valid URL")
            }
            let authority = (url.port.map { "\(host):\($0)" } ?? host).lowercased()
            guard authority == node.domain else { throw KithError(.notFound, "\(resource) is not on this node") }
            let path = url.path
            if path == "/actor" { return .application }
            for prefix in ["/users/", "/@"] where path.hasPrefix(prefix) {
                let name = String(path.dropFirst(prefix.count))
                guard !name.isEmpty, !name.contains("/") else { break }
                return .account(name)
            }
            throw KithError(.notFound, "\(resource) is not an account on this node")
        case "acct":
            let parts = resource.dropFirst(5).split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" || $0 == ":" })
            else {
                throw KithError(.invalidInput, "resource '\(resource)' is not of the form acct:user@domain")
            }
            guard parts[1].lowercased() == node.domain else { throw KithError(.notFound, "\(parts[1]) is not this node's domain") }
            if parts[0].lowercased() == node.domain { return .application }
            return .account(String(parts[0]))
        default:
            throw KithError(.notFound, "this node answers for acct: and https: resources, not \(scheme):")
        }
    }

    /// The scheme of `text` when it is a URI (RFC 3986: a letter, then letters, digits, `+`,
    /// `-` or `.`, then a colon), lowercased; nil when it is not one.
    static func uriScheme(_ text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return scheme.lowercased()
    }

    /// The JRD for an actor: subject, aliases, and `self` links in both ActivityStreams types.
    public static func document(username: String, actorURI: String, profileURL: String?, node: NodeIdentity) -> JSONValue {
        var links: [JSONValue] = []
        if let profileURL {
            links.append(["rel": .string(profilePageRel), "type": "text/html", "href": .string(profileURL)])
        }
        links.append(["rel": "self", "type": .string(ActivityStreamsMediaType.activityJSON), "href": .string(actorURI)])
        links.append(["rel": "self", "type": .string(ActivityStreamsMediaType.ldJSON), "href": .string(actorURI)])
        return [
            "subject": .string("acct:\(username)@\(node.domain)"),
            "aliases": .array(([profileURL, actorURI].compactMap { $0 }).map { .string($0) }),
            "links": .array(links),
        ]
    }

    /// `/.well-known/host-meta` in XRD (RFC 6415) and its JSON form.
    public static func hostMetaXML(node: NodeIdentity) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
          <Link rel="lrdd" template="\(node.baseURL)/.well-known/webfinger?resource={uri}"/>
        </XRD>

        """
    }

    public static func hostMetaJSON(node: NodeIdentity) -> JSONValue {
        ["links": [["rel": "lrdd", "template": .string("\(node.baseURL)/.well-known/webfinger?resource={uri}")]]]
    }
}

/// NodeInfo 2.0 and 2.1 (FEP-f1d5).
public enum NodeInfo {
    public static let versions = ["2.0", "2.1"]

    public static func schema(_ version: String) -> String { "http://nodeinfo.diaspora.software/ns/schema/\(version)" }

    public static func mediaType(_ version: String) -> String { "application/json; profile=\"\(schema(version))#\"" }

    /// `/.well-known/nodeinfo`: links to each version, and to the application actor (FEP-2677).
    public static func wellKnown(node: NodeIdentity) -> JSONValue {
        var links: [JSONValue] = versions.map { ["rel": .string(schema($0)), "href": .string("\(node.baseURL)/nodeinfo/\($0)")] }
        links.append(["rel": "https://www.w3.org/ns/activitystreams#Application", "href": .string(node.applicationActorURI)])
        return ["links": .array(links)]
    }

    public static func document(
        version: String, softwareVersion: String, usage: NodeUsage, openRegistrations: Bool, node: NodeIdentity,
        federationMode: String
    ) -> JSONValue {
        var software: [String: JSONValue] = ["name": "kith", "version": .string(softwareVersion)]
        if version == "2.1" {
            software["homepage"] = .string(node.baseURL)
        }
        return [
            "version": .string(version),
            "software": .object(software),
            "protocols": ["activitypub"],
            "services": ["inbound": [], "outbound": []],
            "openRegistrations": .bool(openRegistrations),
            "usage": [
                "users": [
                    "total": .number(Double(usage.users)),
                    "activeMonth": .number(Double(usage.activeMonth)),
                    "activeHalfyear": .number(Double(usage.activeHalfyear)),
                ],
                "localPosts": .number(Double(usage.localPosts)),
            ],
            "metadata": ["nodeName": .string(node.domain), "federation": ["mode": .string(federationMode)]],
        ]
    }
}
