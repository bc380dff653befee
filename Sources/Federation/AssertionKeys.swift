import ActivityStreams
import Crypto
import Domain
import Foundation
import HTTPSignatures

/// Accounts' Ed25519 assertion keys (FEP-521a), for object integrity proofs: a local account's
/// key pair is made at its first use and kept; a remote account's public key is what its actor
/// document publishes.
public struct AssertionKeys: Sendable {
    let repository: any AssertionKeyRepository

    public init(repository: any AssertionKeyRepository) {
        self.repository = repository
    }

    /// The id a local account's key is published under.
    public static func keyID(of account: Account) -> String { account.uri + "#ed25519-key" }

    /// A local account's signing key and its published form.
    public func signingKey(for account: Account) async throws -> (key: Curve25519.Signing.PrivateKey, published: AssertionKey) {
        let fresh = Curve25519.Signing.PrivateKey()
        let made = (
            key: AssertionKey(id: Self.keyID(of: account), multibase: Multikey.encode(ed25519: fresh.publicKey)),
            privateKey: fresh.rawRepresentation.base64EncodedString()
        )
        var stored: (key: AssertionKey, privateKey: String)
        do {
            stored = try await repository.localAssertionKey(accountID: account.id, made: made)
        } catch let error as KithError where error.kind == .notFound && account.isLocal {
            // Made at the same moment by another request: the stored pair is there now.
            stored = try await repository.localAssertionKey(accountID: account.id, made: made)
        }
        guard let seed = Data(base64Encoded: stored.privateKey), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw KithError(.internalError, "the stored assertion key of \(account.uri) is unreadable")
        }
        return (key, stored.key)
    }

    /// The key an account publishes: a remote one's as last fetched, a local one's as stored
    /// (made first if it has none yet).
    public func published(by account: Account) async throws -> AssertionKey? {
        if let stored = try await repository.assertionKey(accountID: account.id) { return stored }
        return account.isLocal ? try await signingKey(for: account).published : nil
    }

    /// `document` signed by local `account` (its proof's verification method is the account's key).
    public func sign(_ document: JSONValue, as account: Account) async throws -> JSONValue {
        let (key, published) = try await signingKey(for: account)
        return try IntegrityProof.sign(document, key: key, verificationMethod: published.id)
    }

    /// Whether `document` carries a valid proof by `key`, made with the key it names.
    public static func verify(_ document: JSONValue, key: AssertionKey) -> Bool {
        guard IntegrityProof.verificationMethod(of: document) == key.id, let publicKey = Multikey.decodeEd25519(key.multibase) else {
            return false
        }
        return IntegrityProof.verify(document, key: publicKey) == key.id
    }
}
