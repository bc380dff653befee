import Crypto
import Foundation
import _CryptoExtras

/// A public key that verifies signatures: RSA (what Mastodon and nearly everyone use) or
/// Ed25519 (FEP-521a). Parse once and cache it: reading PEM is far slower than verifying.
public struct VerificationKey: Sendable {
    enum Backing: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        /// Raw key bytes: swift-crypto's Curve25519 keys are not Sendable, and making one from
        /// 32 bytes costs nothing next to verifying.
        case ed25519([UInt8])
    }
    let backing: Backing

    /// Reads SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`).
    /// RSA keys down to 1024 bits are accepted, since some older servers still use them.
    public init(pem: String) throws(SignatureError) {
        if let raw = Ed25519DER.publicKey(fromPEM: pem) {
            guard (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
                throw SignatureError(.invalidKey, "the Ed25519 public key is not valid")
            }
            backing = .ed25519(raw)
            return
        }
        do {
            backing = .rsa(try _RSA.Signing.PublicKey(unsafePEMRepresentation: pem))
        } catch {
            throw SignatureError(.invalidKey, "the public key is not an RSA or Ed25519 key in PEM form")
        }
    }

    public var isRSA: Bool {
        if case .rsa = backing { return true }
        return false
    }

    func isValid(_ signature: [UInt8], for message: [UInt8], algorithm: SignatureAlgorithm) -> Bool {
        switch (backing, algorithm) {
        case (.rsa(let key), .rsaSHA256):
            return key.isValidSignature(.init(rawRepresentation: signature), for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        case (.rsa(let key), .rsaPSSSHA512):
            return key.isValidSignature(.init(rawRepresentation: signature), for: SHA512.hash(data: message), padding: .PSS)
        case (.ed25519(let raw), .ed25519):
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: message)
        default:
            return false
        }
    }
}

/// A private key that signs requests, with the `keyId` peers fetch its public half from.
public struct SigningKey: Sendable {
    enum Backing: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case ed25519([UInt8])
    }
    let backing: Backing
    /// The key's URL, e.g. `https://node.example/users/alice#main-key`.
    public let keyId: String

    /// Reads a PKCS#1 or PKCS#8 RSA private key, or a PKCS#8 Ed25519 one.
    public init(keyId: String, privateKeyPEM: String) throws(SignatureError) {
        self.keyId = keyId
        if let raw = Ed25519DER.privateKey(fromPEM: privateKeyPEM) {
            guard (try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)) != nil else {
                throw SignatureError(.invalidKey, "the Ed25519 private key is not valid")
            }
            backing = .ed25519(raw)
            return
        }
        do {
            backing = .rsa(try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM))
        } catch {
            throw SignatureError(.invalidKey, "the private key is not an RSA (2048 bits or more) or Ed25519 key in PEM form")
        }
    }

    /// The public half in SubjectPublicKeyInfo PEM.
    public var publicKeyPEM: String {
        switch backing {
        case .rsa(let key): key.publicKey.pemRepresentation
        case .ed25519(let raw):
            Ed25519DER.pem(publicKey: Array((try? Curve25519.Signing.PrivateKey(rawRepresentation: raw))?.publicKey.rawRepresentation ?? Data()))
        }
    }

    /// The algorithm this key signs with by default: rsa-sha256 for RSA (what every peer
    /// verifies), ed25519 for Ed25519.
    public var defaultAlgorithm: SignatureAlgorithm {
        if case .ed25519 = backing { return .ed25519 }
        return .rsaSHA256
    }

    func sign(_ message: [UInt8], algorithm: SignatureAlgorithm) throws(SignatureError) -> [UInt8] {
        do {
            switch (backing, algorithm) {
            case (.rsa(let key), .rsaSHA256):
                return Array(try key.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5).rawRepresentation)
            case (.rsa(let key), .rsaPSSSHA512):
                return Array(try key.signature(for: SHA512.hash(data: message), padding: .PSS).rawRepresentation)
            case (.ed25519(let raw), .ed25519):
                return Array(try Curve25519.Signing.PrivateKey(rawRepresentation: raw).signature(for: message))
            default:
                throw SignatureError(.unsupportedAlgorithm, "this key cannot sign with \(algorithm)")
            }
        } catch let error as SignatureError {
            throw error
        } catch {
            throw SignatureError(.invalidKey, "signing failed: \(error)")
        }
    }
}

/// The signature algorithms Kith verifies and makes.
public enum SignatureAlgorithm: String, Sendable, CaseIterable {
    /// RSASSA-PKCS1-v1_5 with SHA-256: cavage `rsa-sha256` (and Mastodon's `hs2019`), RFC 9421
    /// `rsa-v1_5-sha256`.
    case rsaSHA256 = "rsa-v1_5-sha256"
    /// RSASSA-PSS with SHA-512 (RFC 9421 `rsa-pss-sha512`).
    case rsaPSSSHA512 = "rsa-pss-sha512"
    case ed25519 = "ed25519"
}

/// Ed25519 keys in PEM: the DER is a fixed prefix followed by the 32 raw key bytes (RFC 8410),
/// so no ASN.1 parser is needed.
enum Ed25519DER {
    static let publicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
    static let privatePrefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    static func der(_ pem: String, label: String) -> [UInt8]? {
        guard let begin = pem.range(of: "-----BEGIN \(label)-----"), let end = pem.range(of: "-----END \(label)-----"),
            begin.upperBound <= end.lowerBound
        else { return nil }
        let base64 = pem[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(base64)).map(Array.init)
    }

    static func publicKey(fromPEM pem: String) -> [UInt8]? {
        guard let der = der(pem, label: "PUBLIC KEY"), der.count == 44, der.starts(with: publicPrefix) else { return nil }
        return Array(der.suffix(32))
    }

    static func privateKey(fromPEM pem: String) -> [UInt8]? {
        guard let der = der(pem, label: "PRIVATE KEY"), der.count == 48, der.starts(with: privatePrefix) else { return nil }
        return Array(der.suffix(32))
    }

    /// PEM of an Ed25519 public key, as FEP-521a publishes it alongside multibase.
    static func pem(publicKey raw: [UInt8]) -> String {
        let base64 = Data(publicPrefix + raw).base64EncodedString()
        return "-----BEGIN PUBLIC KEY-----\n\(base64)\n-----END PUBLIC KEY-----\n"
    }
}
