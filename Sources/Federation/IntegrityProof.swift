import ActivityStreams
import Crypto
import Domain
import Foundation
import HTTPSignatures

/// Object integrity proofs (FEP-8b32, cryptosuite eddsa-jcs-2022): an activity signed by its
/// actor's Ed25519 key inside the document, so that it can be verified against the actor
/// whoever delivers it (a node forwarding a Delete to the followers of those who boosted it).
///
/// The signature is over SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document without proof)),
/// where the proof options are the proof without `proofValue`, carrying the document's
/// `@context`.
public enum IntegrityProof {
    public static let cryptosuite = "eddsa-jcs-2022"
    public static let dataIntegrityContext = "https://w3id.org/security/data-integrity/v2"

    /// `document` (an object) with a `proof` by `key`, named `verificationMethod` (the key's id
    /// in the actor's `assertionMethod`). The data integrity context is added to `@context`.
    public static func sign(
        _ document: JSONValue, key: Curve25519.Signing.PrivateKey, verificationMethod: String, created: Date = Date()
    ) throws -> JSONValue {
        guard case .object(var object) = document else { throw KithError(.invalidInput, "only an object can carry a proof") }
        object["proof"] = nil
        var contexts = object["@context"].map { $0.listValue } ?? ["https://www.w3.org/ns/activitystreams"]
        if !contexts.contains(.string(dataIntegrityContext)) { contexts.append(.string(dataIntegrityContext)) }
        object["@context"] = .array(contexts)
        var options: [String: JSONValue] = [
            "@context": .array(contexts), "type": "DataIntegrityProof", "cryptosuite": .string(cryptosuite),
            "verificationMethod": .string(verificationMethod), "proofPurpose": "assertionMethod",
            "created": .string(ASDate.format(created)),
        ]
        let signature = try key.signature(for: hashData(options: .object(options), document: .object(object)))
        options["proofValue"] = .string("z" + Base58.encode(Array(signature)))
        object["proof"] = .object(options)
        return .object(object)
    }

    /// The `verificationMethod` of `document`'s proof when the proof verifies with `key`; nil
    /// when there is no proof, it is not an eddsa-jcs-2022 assertion, or it does not verify.
    public static func verify(_ document: JSONValue, key: Curve25519.Signing.PublicKey) -> String? {
        guard case .object(var object) = document, case .object(var proof)? = object["proof"],
            proof["type"] == "DataIntegrityProof", proof["cryptosuite"]?.stringValue == cryptosuite,
            proof["proofPurpose"] == "assertionMethod", let method = proof["verificationMethod"]?.stringValue,
            let value = proof["proofValue"]?.stringValue, value.hasPrefix("z"), let signature = Base58.decode(String(value.dropFirst()))
        else { return nil }
        object["proof"] = nil
        proof["proofValue"] = nil
        // The proof's context, when given, must begin the document's (the spec's check).
        if let context = proof["@context"] {
            let documentContexts = object["@context"]?.listValue ?? []
            let proofContexts = context.listValue
            guard documentContexts.count >= proofContexts.count, Array(documentContexts.prefix(proofContexts.count)) == proofContexts else {
                return nil
            }
        }
        guard key.isValidSignature(signature, for: hashData(options: .object(proof), document: .object(object))) else { return nil }
        return method
    }

    /// The verification method a proof names, if any (to look the key up before verifying).
    public static func verificationMethod(of document: JSONValue) -> String? {
        document["proof"]?["verificationMethod"]?.stringValue
    }

    static func hashData(options: JSONValue, document: JSONValue) -> [UInt8] {
        Array(SHA256.hash(data: JCS.canonical(options))) + Array(SHA256.hash(data: JCS.canonical(document)))
    }
}
