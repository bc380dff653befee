import Foundation
import RawStructuredFieldValues

/// RFC 9421 HTTP Message Signatures: `Signature-Input` and `Signature` dictionaries, the
/// signature base built from derived components (`@method`, `@target-uri`, …) and header
/// fields, and `Content-Digest` (RFC 9530) for the body.
enum RFC9421 {
    /// One covered component: its name and parameters as given (Kith supports none of the
    /// component parameters, so a parameterised component is refused).
    struct Covered {
        var name: String
    }

    struct Parameters {
        var label: String
        var covered: [String]
        var created: Int64?
        var expires: Int64?
        var keyId: String?
        var algorithm: String?
        /// The `@signature-params` line value, serialised canonically.
        var serialized: String
        var signature: [UInt8]
    }

    static func parseDictionary(_ header: String, name: String) throws(SignatureError) -> OrderedMap<String, ItemOrInnerList> {
        do {
            var parser = StructuredFieldValueParser(Array(header.utf8))
            return try parser.parseDictionaryFieldValue()
        } catch {
            throw SignatureError(.malformed, "\(name) is not a structured dictionary")
        }
    }

    /// Picks the first signature whose label is in both headers.
    static func parse(input: String, signature: String) throws(SignatureError) -> Parameters {
        let inputs = try parseDictionary(input, name: "Signature-Input")
        let signatures = try parseDictionary(signature, name: "Signature")
        for (label, member) in inputs {
            guard let signatureMember = signatures[label] else { continue }
            guard case .innerList(let list) = member else {
                throw SignatureError(.malformed, "Signature-Input \(label) is not an inner list")
            }
            guard case .item(let signatureItem) = signatureMember, case .undecodedByteSequence(let base64) = signatureItem.rfc9651BareItem,
                let bytes = Data(base64Encoded: base64), !bytes.isEmpty
            else {
                throw SignatureError(.malformed, "Signature \(label) is not a byte sequence")
            }
            var covered: [String] = []
            for item in list.bareInnerList {
                guard case .string(let name) = item.rfc9651BareItem else {
                    throw SignatureError(.malformed, "Signature-Input \(label) lists a component that is not a string")
                }
                guard item.rfc9651Parameters.count == 0 else {
                    throw SignatureError(.unsupportedAlgorithm, "component parameters (\(name);…) are not supported")
                }
                guard name == name.lowercased(), !covered.contains(name) else {
                    throw SignatureError(.malformed, "Signature-Input \(label) has an upper-case or repeated component '\(name)'")
                }
                covered.append(name)
            }
            var parameters = Parameters(label: label, covered: covered, serialized: serialize(list), signature: Array(bytes))
            for (key, value) in list.rfc9651Parameters {
                switch (key, value) {
                case ("created", .integer(let n)): parameters.created = n
                case ("expires", .integer(let n)): parameters.expires = n
                case ("keyid", .string(let s)): parameters.keyId = s
                case ("alg", .string(let s)): parameters.algorithm = s
                case ("created", _), ("expires", _), ("keyid", _), ("alg", _):
                    throw SignatureError(.malformed, "Signature-Input parameter \(key) has the wrong type")
                default: break  // nonce, tag and unknown parameters are signed but not interpreted
                }
            }
            return parameters
        }
        throw SignatureError(.malformed, "Signature-Input and Signature share no label")
    }

    static func algorithms(for name: String?) throws(SignatureError) -> [SignatureAlgorithm]? {
        guard let name else { return nil }
        guard let algorithm = SignatureAlgorithm(rawValue: name) else {
            throw SignatureError(.unsupportedAlgorithm, "signature algorithm '\(name)' is not supported")
        }
        return [algorithm]
    }

    static func componentValue(_ name: String, request: SignableRequest) throws(SignatureError) -> String {
        switch name {
        case "@method": return request.method
        case "@target-uri": return request.targetURI
        case "@authority": return request.authority
        case "@scheme": return request.scheme
        case "@request-target": return request.requestTarget
        case "@path": return request.path
        case "@query": return request.query
        default:
            guard !name.hasPrefix("@") else {
                throw SignatureError(.unsupportedAlgorithm, "derived component \(name) is not supported")
            }
            guard let value = request.headers[name] else {
                throw SignatureError(.missingComponent, "the signed header '\(name)' is not in the request")
            }
            return value
        }
    }

    static func signatureBase(_ covered: [String], serialized: String, request: SignableRequest) throws(SignatureError) -> [UInt8] {
        var base = ""
        for name in covered {
            base += "\"\(name)\": \(try componentValue(name, request: request))\n"
        }
        base += "\"@signature-params\": \(serialized)"
        return Array(base.utf8)
    }

    static func inspect(input: String, signature: String, request: SignableRequest, window: SignatureWindow, now: Date) throws(SignatureError) -> SignatureInspection {
        let parameters = try parse(input: input, signature: signature)
        let algorithms = try algorithms(for: parameters.algorithm)
        guard let keyId = parameters.keyId, !keyId.isEmpty else { throw SignatureError(.malformed, "Signature-Input has no keyid") }
        guard let created = parameters.created else { throw SignatureError(.missingComponent, "Signature-Input has no created parameter") }
        let covered = Set(parameters.covered)
        guard covered.contains("@method"), covered.contains("@target-uri") else {
            throw SignatureError(.missingComponent, "@method and @target-uri must be signed")
        }
        let signedAt = Date(timeIntervalSince1970: TimeInterval(created))
        try window.check(signedAt, expires: parameters.expires, now: now)
        if request.method == "POST" || !request.body.isEmpty {
            guard covered.contains("content-digest") else {
                throw SignatureError(.missingComponent, "content-digest must be signed when there is a body")
            }
            guard let digest = request.headers["Content-Digest"] else { throw SignatureError(.missingDigest, "the Content-Digest header is missing") }
            try BodyDigest.verifyContentDigestHeader(digest, body: request.body)
        }
        let base = try signatureBase(parameters.covered, serialized: parameters.serialized, request: request)
        return SignatureInspection(
            format: .rfc9421, keyId: keyId, signedAt: signedAt, algorithms: algorithms, base: base, signature: parameters.signature)
    }

    static func sign(
        _ request: SignableRequest, key: SigningKey, algorithm: SignatureAlgorithm, label: String, now: Date
    ) throws(SignatureError) -> HeaderFields {
        var request = request
        var covered = ["@method", "@target-uri"]
        if request.method == "POST" || !request.body.isEmpty {
            request.headers.set("Content-Digest", BodyDigest.contentDigestHeader(for: request.body))
            covered.append("content-digest")
        }
        let created = Int64(now.timeIntervalSince1970.rounded(.down))
        let serialized =
            "(" + covered.map { quote($0) }.joined(separator: " ") + ");created=\(created);keyid=\(quote(key.keyId));alg=\(quote(algorithm.rawValue))"
        let base = try signatureBase(covered, serialized: serialized, request: request)
        let signature = try key.sign(base, algorithm: algorithm)
        request.headers.set("Signature-Input", "\(label)=\(serialized)")
        request.headers.set("Signature", "\(label)=:\(Data(signature).base64EncodedString()):")
        return request.headers
    }

    // MARK: Serialisation of the signature parameters (RFC 8941 §4.1)

    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func serialize(_ list: InnerList) -> String {
        var text = "("
        text += list.bareInnerList.map { item in serialize(item.rfc9651BareItem) + serialize(item.rfc9651Parameters) }.joined(separator: " ")
        text += ")" + serialize(list.rfc9651Parameters)
        return text
    }

    static func serialize(_ parameters: OrderedMap<String, RFC9651BareItem>) -> String {
        var text = ""
        for (key, value) in parameters {
            text += ";" + key
            if case .bool(true) = value { continue }
            text += "=" + serialize(value)
        }
        return text
    }

    static func serialize(_ item: RFC9651BareItem) -> String {
        switch item {
        case .bool(let b): b ? "?1" : "?0"
        case .integer(let n): String(n)
        case .decimal(let d): String(describing: Double(d))
        case .string(let s): quote(s)
        case .token(let t): t
        case .undecodedByteSequence(let b): ":\(b):"
        case .date(let n): "@\(n)"
        case .displayString(let s): "%" + quote(s)
        }
    }
}
