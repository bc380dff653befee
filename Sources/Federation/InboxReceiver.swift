import ActivityStreams
import Crypto
import Domain
import Foundation
import HTTPSignatures
import Logging

/// Accepts a POST to an inbox, in Mastodon's order: parse → verify the signature (fetching
/// the sender's key once, refetching it once if it no longer verifies) → the key's owner must
/// be the activity's actor (or, for a Delete forwarded by another node, the activity carries
/// its actor's object integrity proof) → the sender's node must be allowed → store the raw
/// activity once, keyed by its id → let the processor know. The caller answers 202 without
/// waiting.
public struct InboxReceiver: Sendable {
    let resolver: ActorResolver
    let queue: any ActivityQueueRepository
    let accounts: any RemoteAccountRepository
    let policy: DomainPolicyService
    let verifier: SignatureVerifier
    let keyCache: VerificationKeyCache
    let signers: SignerCache
    let processorSignal: WakeSignal?
    let logger: Logger
    /// Actors' Ed25519 keys, to check the proof of an activity forwarded by another node.
    let assertionKeys: AssertionKeys?

    public init(
        resolver: ActorResolver, queue: any ActivityQueueRepository, accounts: any RemoteAccountRepository, policy: DomainPolicyService,
        settings: FederationSettings, processorSignal: WakeSignal?, logger: Logger, assertionKeys: AssertionKeys? = nil
    ) {
        self.assertionKeys = assertionKeys
        self.resolver = resolver
        self.queue = queue
        self.accounts = accounts
        self.policy = policy
        self.verifier = SignatureVerifier(window: SignatureWindow(maxAge: settings.signatureWindow, maxFuture: settings.signatureWindow))
        self.keyCache = VerificationKeyCache()
        self.signers = SignerCache()
        self.processorSignal = processorSignal
        self.logger = logger
    }

    public enum Outcome: Sendable, Equatable {
        case accepted
        /// Seen before (same activity id): accepted again, processed once.
        case duplicate
    }

    /// - Parameter recipient: the username of a per-actor inbox; nil for the shared inbox.
    public func receive(request: SignableRequest, recipient: String?) async throws -> Outcome {
        let json: JSONValue
        let activity: ASActivity
        do {
            json = try JSONValue.parse(request.body)
            activity = try ASActivity(json)
        } catch let error as ActivityStreamsError {
            throw KithError(.invalidInput, "not an ActivityPub activity: \(error.message)")
        }
        let inspection: SignatureInspection
        do {
            inspection = try verifier.inspect(request)
        } catch {
            throw KithError(.unauthorized, "signature: \(error.message)")
        }
        // Nothing is fetched from a node that is not allowed: refuse before asking for its key.
        guard try await policy.allows(uri: inspection.keyId) else {
            throw KithError(.forbidden, "\(DomainPolicyService.domain(of: inspection.keyId) ?? "the sender") is not a node this one federates with")
        }
        let signer = try await verifiedSigner(inspection)
        guard try await policy.allows(uri: activity.actor) else {
            throw KithError(.forbidden, "\(DomainPolicyService.domain(of: activity.actor) ?? "the actor's node") is not a node this one federates with")
        }
        if signer.uri != activity.actor {
            // Only a Delete is taken from a node that forwards it (it boosted the post), and only
            // with the proof of its actor's own key: the forwarder's signature says nothing of
            // who wrote it.
            guard activity.type == "Delete", try await carriesProof(json, of: activity.actor) else {
                throw KithError(.unauthorized, "the request is signed by \(signer.uri), not by the activity's actor \(activity.actor)")
            }
        }
        var recipientID: Int64?
        if let recipient {
            guard let account = try await accounts.account(uri: resolver.node.actorURI(username: recipient)), account.isLocal else {
                throw KithError(.notFound, "no account named '\(recipient)' on this node")
            }
            recipientID = account.id
        }
        // Activities without an id (a few servers send transient ones) are keyed by their body.
        let id = activity.id ?? "urn:kith:sha256:" + Hex.lowercase(SHA256.hash(data: request.body))
        let isNew = try await queue.enqueueInbox(
            activityURI: id, type: activity.type, actorURI: activity.actor, recipientAccountID: recipientID,
            payload: String(decoding: request.body, as: UTF8.self))
        if isNew { await processorSignal?.notify() }
        logger.debug("inbox accepted", metadata: ["activity_id": "\(id)", "type": "\(activity.type)", "new": "\(isNew)"])
        return isNew ? .accepted : .duplicate
    }

    /// Whether `json` carries a valid object integrity proof (FEP-8b32) made with the key that
    /// remote actor `actorURI` publishes (fetched again once if it does not verify: a new key).
    func carriesProof(_ json: JSONValue, of actorURI: String) async throws -> Bool {
        guard let assertionKeys, IntegrityProof.verificationMethod(of: json) != nil, !resolver.isLocal(actorURI) else { return false }
        for refresh in [false, true] {
            guard let actor = try? await resolver.actor(uri: actorURI, refresh: refresh), !actor.isLocal else { continue }
            if let key = try await assertionKeys.published(by: actor), AssertionKeys.verify(json, key: key) { return true }
        }
        return false
    }

    /// The actor that signed a request (a GET of a document, for authorized fetch): 401 when
    /// the signature is missing, malformed or does not verify; 403 when the signer's node is not
    /// one this node federates with (its key is not even fetched).
    public func signer(of request: SignableRequest) async throws -> Account {
        let inspection: SignatureInspection
        do {
            inspection = try verifier.inspect(request)
        } catch {
            throw KithError(.unauthorized, "signature: \(error.message)")
        }
        // This node's own actors sign too (its own fetches); other nodes must be allowed.
        if !resolver.isLocal(inspection.keyId), try await !policy.allows(uri: inspection.keyId) {
            throw KithError(.forbidden, "\(DomainPolicyService.domain(of: inspection.keyId) ?? "the sender") is not a node this one federates with")
        }
        let signer = try await verifiedSigner(inspection)
        if !signer.isLocal, try await !policy.allows(uri: signer.uri) {
            throw KithError(.forbidden, "\(DomainPolicyService.domain(of: signer.uri) ?? "the signer's node") is not a node this one federates with")
        }
        return signer
    }

    /// The signing key's owner, after the signature verified with the owner's key. A key that
    /// no longer verifies is fetched again once (the sender may have rotated it).
    func verifiedSigner(_ inspection: SignatureInspection) async throws -> Account {
        var owner: Account
        var fresh = false
        do {
            if let recent = await signers.account(keyID: inspection.keyId) {
                owner = recent
            } else if let cached = try await accounts.account(publicKeyID: inspection.keyId) {
                owner = cached
            } else {
                owner = try await resolver.keyOwner(keyId: inspection.keyId)
                fresh = true
            }
        } catch let error as KithError where error.kind == .forbidden {
            throw error
        } catch {
            throw KithError(.unauthorized, "the signing key \(inspection.keyId) could not be fetched", detail: "\(error)")
        }
        if try await verifies(inspection, with: owner) {
            await signers.store(owner, keyID: inspection.keyId)
            return owner
        }
        if !fresh {
            do {
                owner = try await resolver.keyOwner(keyId: inspection.keyId, refresh: true)
            } catch {
                await signers.forget(keyID: inspection.keyId)
                throw KithError(.unauthorized, "the signature does not verify and the key could not be fetched again", detail: "\(error)")
            }
            if try await verifies(inspection, with: owner) {
                await signers.store(owner, keyID: inspection.keyId)
                return owner
            }
        }
        await signers.forget(keyID: inspection.keyId)
        throw KithError(.unauthorized, "the signature does not verify with \(inspection.keyId)")
    }

    func verifies(_ inspection: SignatureInspection, with owner: Account) async throws -> Bool {
        let key: VerificationKey
        do {
            key = try await keyCache.key(pem: owner.publicKeyPEM)
        } catch {
            throw KithError(.unauthorized, "the key of \(owner.uri) cannot be read")
        }
        do {
            try inspection.verify(with: key)
            return true
        } catch {
            return false
        }
    }
}

/// Parsed public keys by PEM text.
public actor VerificationKeyCache {
    var keys: [String: VerificationKey] = [:]

    public init() {}

    public func key(pem: String) throws -> VerificationKey {
        if let key = keys[pem] { return key }
        let key = try VerificationKey(pem: pem)
        if keys.count > 10_000 { keys.removeAll() }
        keys[pem] = key
        return key
    }
}

/// Signers by key id for a minute: a peer's deliveries come in runs, and looking the signer up
/// for each one was half of the inbox's database work. A key that stops verifying is fetched
/// again as before (and the entry replaced), so a rotated key costs one refetch.
public actor SignerCache {
    var entries: [String: (account: Account, expires: ContinuousClock.Instant)] = [:]
    let lifetime: Duration

    public init(lifetime: Duration = .seconds(60)) {
        self.lifetime = lifetime
    }

    func account(keyID: String) -> Account? {
        guard let entry = entries[keyID] else { return nil }
        guard entry.expires > .now else {
            entries[keyID] = nil
            return nil
        }
        return entry.account
    }

    func store(_ account: Account, keyID: String) {
        if entries.count > 10_000 { entries.removeAll() }
        entries[keyID] = (account, .now + lifetime)
    }

    func forget(keyID: String) {
        entries[keyID] = nil
    }
}
