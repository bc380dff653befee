import ActivityStreams
import Crypto
import Foundation
import HTTPSignatures
import Testing

@testable import Federation

/// FEP-8b32 proofs (eddsa-jcs-2022) with FEP-521a Multikeys.
@Suite struct IntegrityProofTests {
    @Test func base58AndMultikeysRoundTrip() throws {
        #expect(Base58.encode(Array("Hello World!".utf8)) == "2NEpo7TZRRrLZSi2U")
        #expect(Base58.decode("2NEpo7TZRRrLZSi2U") == Array("Hello World!".utf8))
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(Base58.decode("112") == [0, 0, 1])
        #expect(Base58.decode("0OIl") == nil)
        // A known Ed25519 key pair (seed and public key as published with did:key's fixtures);
        // every Ed25519 Multikey starts with z6Mk, and decodes back to the same key.
        let secret = try #require(hexBytes("9b937b81322d816cfab9d5a3baacc9b2a5febe4b149f126b3630f93a29527017"))
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: secret)
        #expect(key.publicKey.rawRepresentation == Data(try #require(hexBytes("095f9a1a595dde755d82786864ad03dfa5a4fbd68832566364e2b65e13cc9e44"))))
        let multikey = Multikey.encode(ed25519: key.publicKey)
        #expect(multikey.hasPrefix("z6Mk"))
        #expect(Base58.decode(String(multikey.dropFirst())) == [0xED, 0x01] + (try #require(hexBytes("095f9a1a595dde755d82786864ad03dfa5a4fbd68832566364e2b65e13cc9e44"))))
        let decoded = try #require(Multikey.decodeEd25519(multikey))
        #expect(decoded.rawRepresentation == key.publicKey.rawRepresentation)
        #expect(Multikey.decodeEd25519("zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme") == nil)  // a secp256k1 key
    }

    @Test func aSignedDeleteVerifiesAndAnyChangeBreaksIt() throws {
        let key = Curve25519.Signing.PrivateKey()
        let method = "https://a.example/users/alice#ed25519-key"
        let delete: JSONValue = [
            "@context": "https://www.w3.org/ns/activitystreams", "id": "https://a.example/users/alice/statuses/1#delete", "type": "Delete",
            "actor": "https://a.example/users/alice", "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": ["id": "https://a.example/users/alice/statuses/1", "type": "Tombstone"],
        ]
        let signed = try IntegrityProof.sign(delete, key: key, verificationMethod: method)
        #expect(signed["proof"]?["cryptosuite"] == "eddsa-jcs-2022")
        #expect(signed["@context"]?.listValue.contains("https://w3id.org/security/data-integrity/v2") == true)
        #expect(IntegrityProof.verificationMethod(of: signed) == method)
        #expect(IntegrityProof.verify(signed, key: key.publicKey) == method)
        // Through the wire and back (key order, spacing): still valid.
        #expect(IntegrityProof.verify(try JSONValue.parse(signed.serialized()), key: key.publicKey) == method)
        // Another key, another object, another actor, another proof purpose: not valid.
        #expect(IntegrityProof.verify(signed, key: Curve25519.Signing.PrivateKey().publicKey) == nil)
        for (path, value) in [("object", JSONValue.string("https://a.example/users/alice/statuses/2")), ("actor", "https://m.example/users/mallory")] {
            guard case .object(var object) = signed else { continue }
            object[path] = value
            #expect(IntegrityProof.verify(.object(object), key: key.publicKey) == nil, "\(path) changed")
        }
        guard case .object(var object) = signed, case .object(var proof)? = object["proof"] else { return }
        proof["proofPurpose"] = "authentication"
        object["proof"] = .object(proof)
        #expect(IntegrityProof.verify(.object(object), key: key.publicKey) == nil)
        #expect(IntegrityProof.verify(delete, key: key.publicKey) == nil, "no proof")
    }

    func hexBytes(_ hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
