import Crypto
import Foundation
import RawStructuredFieldValues

/// Body digests: draft-cavage's `Digest: SHA-256=<base64>` (RFC 3230) and RFC 9530's
/// `Content-Digest: sha-256=:<base64>:`. Both are checked against the raw body bytes.
public enum BodyDigest {
    /// `SHA-256=<base64>` for the `Digest` header.
    public static func digestHeader(for body: some DataProtocol) -> String {
        "SHA-256=" + Data(SHA256.hash(data: body)).base64EncodedString()
    }

    /// `sha-256=:<base64>:` for the `Content-Digest` header.
    public static func contentDigestHeader(for body: some DataProtocol) -> String {
        "sha-256=:" + Data(SHA256.hash(data: body)).base64EncodedString() + ":"
    }

    static func hash(_ algorithm: String, _ body: [UInt8]) -> [UInt8]? {
        switch algorithm.lowercased() {
        case "sha-256": Array(SHA256.hash(data: body))
        case "sha-512": Array(SHA512.hash(data: body))
        default: nil
        }
    }

    /// Checks a `Digest` header: every entry of a known algorithm must match, and there must be
    /// at least one.
    public static func verifyDigestHeader(_ header: String, body: [UInt8]) throws(SignatureError) {
        var checked = 0
        for entry in header.split(separator: ",") {
            let pair = entry.trimmingWhitespace()
            guard let equals = pair.firstIndex(of: "=") else {
                throw SignatureError(.malformed, "Digest header entry '\(pair)' has no '='")
            }
            let name = String(pair[..<equals])
            guard let expected = hash(name, body) else { continue }
            guard let given = Data(base64Encoded: String(pair[pair.index(after: equals)...])) else {
                throw SignatureError(.malformed, "Digest header value for \(name) is not base64")
            }
            guard Array(given) == expected else {
                throw SignatureError(.digestMismatch, "Digest \(name) does not match the body")
            }
            checked += 1
        }
        guard checked > 0 else { throw SignatureError(.missingDigest, "Digest header names no supported algorithm (SHA-256, SHA-512)") }
    }

    /// Checks a `Content-Digest` header (a structured dictionary of byte sequences).
    public static func verifyContentDigestHeader(_ header: String, body: [UInt8]) throws(SignatureError) {
        let dictionary: OrderedMap<String, ItemOrInnerList>
        do {
            var parser = StructuredFieldValueParser(Array(header.utf8))
            dictionary = try parser.parseDictionaryFieldValue()
        } catch {
            throw SignatureError(.malformed, "Content-Digest is not a structured dictionary")
        }
        var checked = 0
        for (name, member) in dictionary {
            guard let expected = hash(name, body) else { continue }
            guard case .item(let item) = member, case .undecodedByteSequence(let base64) = item.rfc9651BareItem,
                let given = Data(base64Encoded: base64)
            else {
                throw SignatureError(.malformed, "Content-Digest \(name) is not a byte sequence")
            }
            guard Array(given) == expected else {
                throw SignatureError(.digestMismatch, "Content-Digest \(name) does not match the body")
            }
            checked += 1
        }
        guard checked > 0 else { throw SignatureError(.missingDigest, "Content-Digest names no supported algorithm (sha-256, sha-512)") }
    }
}
