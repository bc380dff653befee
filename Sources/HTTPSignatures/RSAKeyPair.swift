import Crypto
import _CryptoExtras

/// An RSA key pair as ActivityPub actors publish it: `publicKeyPem` is SubjectPublicKeyInfo PEM
/// ("BEGIN PUBLIC KEY"), which Mastodon and GoToSocial expect.
public struct RSAKeyPair: Sendable {
    public let publicKeyPEM: String
    public let privateKeyPEM: String

    /// Makes a fresh RSA-2048 key pair (the size Mastodon uses; larger keys slow every signature).
    public static func generate() throws -> RSAKeyPair {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return RSAKeyPair(publicKeyPEM: key.publicKey.pemRepresentation, privateKeyPEM: key.pemRepresentation)
    }

    /// Reads a private key back from PEM (PKCS#1 or PKCS#8) and checks it is at least 2048 bits.
    public static func privateKey(fromPEM pem: String) throws -> _RSA.Signing.PrivateKey {
        try _RSA.Signing.PrivateKey(pemRepresentation: pem)
    }
}
