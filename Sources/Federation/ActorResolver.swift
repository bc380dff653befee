import ActivityStreams
import Core
import Domain
import Foundation
import HTTPSignatures
import Logging

/// Finds remote actors and objects: from the cache in the database when fresh, otherwise by a
/// fetch signed with the application actor. Only allowed nodes are asked.
public struct ActorResolver: Sendable {
    let accounts: any RemoteAccountRepository
    let http: FederationHTTPClient
    let policy: DomainPolicyService
    let keys: NodeKeys
    public let node: NodeIdentity
    let settings: FederationSettings
    let logger: Logger

    public init(
        accounts: any RemoteAccountRepository, http: FederationHTTPClient, policy: DomainPolicyService, keys: NodeKeys, node: NodeIdentity,
        settings: FederationSettings, logger: Logger
    ) {
        self.accounts = accounts
        self.http = http
        self.policy = policy
        self.keys = keys
        self.node = node
        self.settings = settings
        self.logger = logger
    }

    /// Whether `uri` is served by this node.
    public func isLocal(_ uri: String) -> Bool {
        uri == node.baseURL || uri.hasPrefix(node.baseURL + "/") || uri.hasPrefix(node.baseURL + "#")
    }

    /// The key of the node's application actor, which signs fetches and Flags.
    public func applicationSigningKey() async throws -> SigningKey {
        let pair = try await keys.applicationKeyPair()
        return try SigningKey(keyId: node.applicationKeyID, privateKeyPEM: pair.privateKeyPEM)
    }

    /// GETs a document from an allowed node, signed by the application actor, and parses it.
    public func fetchDocument(_ uri: String) async throws -> (json: JSONValue, url: String) {
        guard try await policy.allows(uri: uri) else {
            throw KithError(.forbidden, "\(DomainPolicyService.domain(of: uri) ?? uri) is not a node this one federates with")
        }
        let response = try await http.get(uri, signedBy: try await applicationSigningKey())
        guard response.status == 200 else {
            throw KithError(response.status == 404 || response.status == 410 ? .notFound : .unavailable, "\(uri) answered \(response.status)")
        }
        do {
            return (try JSONValue.parse(response.body), response.url)
        } catch {
            throw KithError(.unavailable, "\(uri) did not answer with JSON")
        }
    }

    /// The actor with id `uri`: cached, or fetched when unknown, stale, or `refresh` is set.
    public func actor(uri: String, refresh: Bool = false) async throws -> Account {
        if let account = try await accounts.account(uri: uri) {
            if account.isLocal { return account }
            if !refresh, let fetched = try await accounts.fetchedAt(uri: uri),
                Date().timeIntervalSince(fetched) < Double(settings.actorRefreshInterval.components.seconds)
            {
                return account
            }
        }
        let (json, url) = try await fetchDocument(uri)
        return try await store(json, fetchedFrom: url)
    }

    /// Stores an actor document, after checking its id is on the host it came from (so a node
    /// cannot speak for another one's actors).
    public func store(_ json: JSONValue, fetchedFrom url: String) async throws -> Account {
        let actor: ASActor
        do {
            actor = try ASActor(json)
        } catch let error as ActivityStreamsError {
            throw KithError(.unavailable, "\(url) is not an actor: \(error.message)")
        }
        guard DomainPolicyService.domain(of: actor.id) == DomainPolicyService.domain(of: url) else {
            throw KithError(.unavailable, "\(url) served an actor of another host (\(actor.id))")
        }
        guard !isLocal(actor.id) else { throw KithError(.conflict, "\(actor.id) is a local actor") }
        guard let keyID = actor.publicKeyId, let pem = actor.publicKeyPEM else {
            throw KithError(.unavailable, "the actor \(actor.id) has no public key")
        }
        var remote = RemoteActor(
                uri: actor.id, username: actor.preferredUsername, domain: DomainPolicyService.domain(of: actor.id) ?? "",
                displayName: HTMLSanitizer.plainText(actor.name ?? ""), note: HTMLSanitizer.sanitize(actor.summary ?? ""), actorType: actor.type, url: actor.url, inboxURI: actor.inbox,
                sharedInboxURI: actor.sharedInbox, outboxURI: actor.outbox, followersURI: actor.followers, followingURI: actor.following,
                featuredURI: actor.featured, publicKeyID: keyID, publicKeyPEM: pem, locked: actor.manuallyApprovesFollowers,
                discoverable: actor.discoverable, avatarURL: actor.iconURL,
                fields: actor.propertyValues.prefix(16).map {
                    ProfileField(name: HTMLSanitizer.plainText($0.name), value: HTMLSanitizer.sanitize($0.value))
                })
        // Its Ed25519 key for object integrity proofs: one of its own host, that reads as one.
        remote.assertionKey = actor.assertionMethods.first {
            DomainPolicyService.domain(of: $0.id) == DomainPolicyService.domain(of: actor.id) && Multikey.decodeEd25519($0.publicKeyMultibase) != nil
        }.map { AssertionKey(id: $0.id, multibase: $0.publicKeyMultibase) }
        return try await accounts.upsertRemote(remote)
    }

    /// The account owning the key `keyId`: from the cache unless `refresh`, else by fetching the
    /// key's URL (an actor document, or a key document whose owner is then fetched).
    public func keyOwner(keyId: String, refresh: Bool = false) async throws -> Account {
        if !refresh, let account = try await accounts.account(publicKeyID: keyId) { return account }
        let documentURL = keyId.split(separator: "#", maxSplits: 1).first.map(String.init) ?? keyId
        let (json, url) = try await fetchDocument(documentURL)
        var account: Account
        if ASObject.types(of: json).contains(where: ASActor.actorTypes.contains) {
            account = try await store(json, fetchedFrom: url)
        } else if let owner = json["owner"]?.idValue {
            account = try await actor(uri: owner, refresh: true)
        } else {
            throw KithError(.unauthorized, "\(keyId) names neither an actor nor a key with an owner")
        }
        if account.publicKeyID != keyId {
            // Some servers' actors list the key under another id form; accept a key document
            // whose owner publishes the same key.
            throw KithError(.unauthorized, "the key \(keyId) is not the published key of \(account.uri)")
        }
        return account
    }

    /// Resolves `user@domain` (with or without `acct:` and a leading `@`) through WebFinger.
    public func actor(acct raw: String) async throws -> Account {
        var acct = raw.trimmingCharacters(in: .whitespaces)
        if acct.lowercased().hasPrefix("acct:") { acct = String(acct.dropFirst(5)) }
        if acct.hasPrefix("@") { acct = String(acct.dropFirst()) }
        let parts = acct.split(separator: "@")
        guard parts.count == 2 else { throw KithError(.invalidInput, "'\(raw)' is not of the form user@domain") }
        let (username, domain) = (String(parts[0]), String(parts[1]).lowercased())
        if domain == node.domain {
            guard let local = try await accounts.account(uri: node.actorURI(username: username)) else {
                throw KithError(.notFound, "no account \(username) on this node")
            }
            return local
        }
        if let cached = try await accounts.remoteAccount(username: username, domain: domain),
            let fetched = try await accounts.fetchedAt(uri: cached.uri),
            Date().timeIntervalSince(fetched) < Double(settings.actorRefreshInterval.components.seconds)
        {
            return cached
        }
        guard try await policy.allows(domain: domain) else {
            throw KithError(.forbidden, "\(domain) is not a node this one federates with")
        }
        let resource = "acct:\(username)@\(domain)".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
        var lastError: any Error = KithError(.notFound, "no WebFinger answer from \(domain)")
        for scheme in settings.allowHTTP ? ["https", "http"] : ["https"] {
            do {
                let response = try await http.get("\(scheme)://\(domain)/.well-known/webfinger?resource=\(resource)", accept: "application/jrd+json", signedBy: nil)
                guard response.status == 200 else {
                    throw KithError(response.status == 404 ? .notFound : .unavailable, "WebFinger at \(domain) answered \(response.status)")
                }
                let jrd = try JSONValue.parse(response.body)
                let link = jrd["links"]?.listValue.first { link in
                    link["rel"]?.stringValue == "self" && (link["type"]?.stringValue).map(ActivityStreamsMediaType.matches) == true
                }
                guard let href = link?["href"]?.stringValue else { throw KithError(.notFound, "\(raw) has no ActivityPub actor") }
                return try await actor(uri: href, refresh: true)
            } catch let error as KithError where error.kind == .notFound || error.kind == .forbidden {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// An object (a post) by id: fetched from its (allowed) origin.
    public func object(uri: String) async throws -> JSONValue {
        let (json, url) = try await fetchDocument(uri)
        guard let id = json["id"]?.stringValue, DomainPolicyService.domain(of: id) == DomainPolicyService.domain(of: url) else {
            throw KithError(.unavailable, "\(uri) served an object of another host")
        }
        return json
    }
}

extension ActorResolver: ActorDirectory {
    /// `user@domain` through WebFinger, or an actor's URL.
    public func resolve(_ reference: String) async throws -> Account {
        if reference.hasPrefix("https://") || reference.hasPrefix("http://") {
            if isLocal(reference) {
                guard let account = try await accounts.account(uri: reference) else { throw KithError(.notFound, "no account \(reference)") }
                return account
            }
            return try await actor(uri: reference)
        }
        return try await actor(acct: reference)
    }
}

extension WakeSignal: DeliveryNotifier {
    public func activityRecorded() async {
        notify()
    }
}
