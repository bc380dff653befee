import ActivityStreams
import Domain
import Foundation

/// The JSON-LD `@context` of the documents Kith serves: ActivityStreams, the security
/// vocabulary (publicKey), and the Mastodon extensions peers look for.
public enum KithContext {
    public static let value: JSONValue = [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        [
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "featured": ["@id": "toot:featured", "@type": "@id"],
            "discoverable": "toot:discoverable",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
        ],
    ]
}

/// Actor documents of local accounts and of the node's application actor.
public enum ActorDocuments {
    /// A local account as an ActivityPub `Person`. Never includes a private key. With
    /// `assertionKey`, its Ed25519 key for object integrity proofs is in `assertionMethod`.
    public static func person(_ account: Account, node: NodeIdentity, assertionKey: AssertionKey? = nil) -> JSONValue {
        let id = account.uri
        var object: [String: JSONValue] = [
            "@context": KithContext.value,
            "id": .string(id),
            "type": .string(account.actorType),
            "preferredUsername": .string(account.username),
            "name": .string(account.displayName),
            "summary": .string(account.note),
            "url": .string(account.url ?? node.profileURL(username: account.username)),
            "inbox": .string(account.inboxURI),
            "outbox": .string(account.outboxURI ?? id + "/outbox"),
            "followers": .string(account.followersURI ?? id + "/followers"),
            "following": .string(account.followingURI ?? id + "/following"),
            "featured": .string(account.featuredURI ?? id + "/collections/featured"),
            // FEP-d8c2: where a C2S client gets a token to post to the outbox.
            "endpoints": [
                "sharedInbox": .string(account.sharedInboxURI ?? node.sharedInboxURI),
                "oauthAuthorizationEndpoint": .string(node.baseURL + "/oauth/authorize"),
                "oauthTokenEndpoint": .string(node.baseURL + "/oauth/token"),
            ],
            "publicKey": [
                "id": .string(account.publicKeyID),
                "owner": .string(id),
                "publicKeyPem": .string(account.publicKeyPEM),
            ],
            "manuallyApprovesFollowers": .bool(account.locked),
            "discoverable": .bool(account.discoverable),
            "published": .string(ASDate.format(account.createdAt)),
        ]
        if let assertionKey {
            // FEP-521a: a Multikey the actor controls.
            object["@context"] = .array(KithContext.value.listValue + ["https://w3id.org/security/multikey/v1"])
            object["assertionMethod"] = [
                [
                    "id": .string(assertionKey.id), "type": "Multikey", "controller": .string(id),
                    "publicKeyMultibase": .string(assertionKey.multibase),
                ]
            ]
        }
        if !account.fields.isEmpty {
            object["attachment"] = .array(account.fields.map { ["type": "PropertyValue", "name": .string($0.name), "value": .string($0.value)] })
        }
        if let avatar = account.avatarURL {
            object["icon"] = ["type": "Image", "url": .string(avatar)]
        }
        return .object(object)
    }

    /// What an unsigned request gets under authorized fetch: enough to find the actor's inboxes
    /// and verify its signatures, nothing of the profile.
    public static func minimal(_ account: Account, node: NodeIdentity, assertionKey: AssertionKey? = nil) -> JSONValue {
        let document = person(account, node: node, assertionKey: assertionKey)
        guard case .object(let full) = document else { return document }
        let kept: Set<String> = [
            "@context", "id", "type", "preferredUsername", "inbox", "outbox", "followers", "following", "endpoints", "publicKey",
            "manuallyApprovesFollowers", "assertionMethod",
        ]
        return .object(full.filter { kept.contains($0.key) })
    }

    /// The node's application actor (FEP-2677, FEP-d556): it signs the node's own fetches,
    /// and is what NodeInfo and WebFinger (`acct:domain@domain`) point to.
    public static func application(node: NodeIdentity, publicKeyPEM: String) -> JSONValue {
        let id = node.applicationActorURI
        return [
            "@context": KithContext.value,
            "id": .string(id),
            "type": "Application",
            "preferredUsername": .string(node.domain),
            "name": .string(node.domain),
            "url": .string(node.baseURL + "/about"),
            "inbox": .string(id + "/inbox"),
            "outbox": .string(id + "/outbox"),
            "endpoints": ["sharedInbox": .string(node.sharedInboxURI)],
            "publicKey": [
                "id": .string(node.applicationKeyID),
                "owner": .string(id),
                "publicKeyPem": .string(publicKeyPEM),
            ],
            "manuallyApprovesFollowers": true,
            "discoverable": false,
        ]
    }
}
