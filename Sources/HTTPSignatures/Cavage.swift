import Foundation

/// draft-cavage-http-signatures-12, as the fediverse uses it: the `Signature` header (or
/// `Authorization: Signature …`) with `keyId`, `algorithm`, `headers`, `signature` and optionally
/// `created`/`expires`.
enum Cavage {
    struct Parameters {
        var keyId: String
        var algorithm: String?
        var headers: [String]
        var signature: [UInt8]
        var created: Int64?
        var expires: Int64?
    }

    /// The signature header's value: `Signature`, else `Authorization` after its `Signature ` scheme.
    static func header(in headers: HeaderFields) -> String? {
        if let value = headers["Signature"] { return value }
        if let authorization = headers["Authorization"], authorization.lowercased().hasPrefix("signature ") {
            return String(authorization.dropFirst("signature ".count))
        }
        return nil
    }

    static func parse(_ header: String) throws(SignatureError) -> Parameters {
        var values: [String: String] = [:]
        var rest = Substring(header)
        while !rest.isEmpty {
            rest = rest.drop(while: { $0 == " " || $0 == "," || $0 == "\t" })
            if rest.isEmpty { break }
            guard let equals = rest.firstIndex(of: "=") else {
                throw SignatureError(.malformed, "Signature header parameter without a value")
            }
            let name = rest[..<equals].trimmingWhitespace().lowercased()
            rest = rest[rest.index(after: equals)...]
            let value: Substring
            if rest.first == "\"" {
                rest = rest.dropFirst()
                guard let close = rest.firstIndex(of: "\"") else {
                    throw SignatureError(.malformed, "unterminated quoted value in Signature header")
                }
                value = rest[..<close]
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end]
                rest = rest[end...]
            }
            guard values[name] == nil else { throw SignatureError(.malformed, "Signature header repeats '\(name)'") }
            values[name] = value.trimmingWhitespace()
        }
        guard let keyId = values["keyid"], !keyId.isEmpty else { throw SignatureError(.malformed, "Signature header has no keyId") }
        guard let signatureText = values["signature"], let signature = Data(base64Encoded: signatureText), !signature.isEmpty else {
            throw SignatureError(.malformed, "Signature header has no base64 signature")
        }
        let headerList = (values["headers"] ?? "date").lowercased().split(separator: " ").map(String.init)
        guard !headerList.isEmpty, Set(headerList).count == headerList.count else {
            throw SignatureError(.malformed, "Signature header's headers list is empty or repeats a name")
        }
        func integer(_ name: String) throws(SignatureError) -> Int64? {
            guard let text = values[name] else { return nil }
            // (created) and (expires) may carry a fraction; whole seconds are enough.
            guard let number = Double(text), number.isFinite else { throw SignatureError(.malformed, "\(name) is not a number") }
            return Int64(number)
        }
        return Parameters(
            keyId: keyId, algorithm: values["algorithm"], headers: headerList, signature: Array(signature),
            created: try integer("created"), expires: try integer("expires"))
    }

    static func algorithms(for name: String?) throws(SignatureError) -> [SignatureAlgorithm]? {
        switch name?.lowercased() {
        case nil, "hs2019": return nil  // decided by the key: RSA or Ed25519
        case "rsa-sha256": return [.rsaSHA256]
        case "ed25519": return [.ed25519]
        case let other?: throw SignatureError(.unsupportedAlgorithm, "signature algorithm '\(other)' is not supported")
        }
    }

    /// The signing string: one `name: value` line per covered header.
    static func signingString(_ names: [String], request: SignableRequest, created: Int64?, expires: Int64?) throws(SignatureError) -> String {
        var lines: [String] = []
        lines.reserveCapacity(names.count)
        for name in names {
            switch name {
            case "(request-target)":
                lines.append("(request-target): \(request.method.lowercased()) \(request.requestTarget)")
            case "(created)":
                guard let created else { throw SignatureError(.malformed, "(created) is signed but the created parameter is missing") }
                lines.append("(created): \(created)")
            case "(expires)":
                guard let expires else { throw SignatureError(.malformed, "(expires) is signed but the expires parameter is missing") }
                lines.append("(expires): \(expires)")
            default:
                guard let value = request.headers[name] else {
                    throw SignatureError(.missingComponent, "the signed header '\(name)' is not in the request")
                }
                lines.append("\(name): \(value)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func inspect(_ header: String, request: SignableRequest, window: SignatureWindow, now: Date) throws(SignatureError) -> SignatureInspection {
        let parameters = try parse(header)
        let algorithms = try algorithms(for: parameters.algorithm)
        let covered = Set(parameters.headers)
        guard covered.contains("(request-target)") else {
            throw SignatureError(.missingComponent, "(request-target) must be signed")
        }
        var signedAt: Date?
        if covered.contains("(created)") {
            guard let created = parameters.created else { throw SignatureError(.malformed, "(created) is signed but created is missing") }
            signedAt = Date(timeIntervalSince1970: TimeInterval(created))
        } else if covered.contains("date") {
            guard let text = request.headers["Date"], let date = HTTPDate.parse(text) else {
                throw SignatureError(.malformed, "the signed Date header is missing or not an HTTP date")
            }
            signedAt = date
        } else {
            throw SignatureError(.missingComponent, "date or (created) must be signed")
        }
        try window.check(signedAt!, expires: parameters.expires, now: now)
        if request.method == "GET" || request.method == "HEAD" {
            guard covered.contains("host") else { throw SignatureError(.missingComponent, "host must be signed on \(request.method)") }
        }
        if request.method == "POST" || !request.body.isEmpty {
            guard covered.contains("digest") else { throw SignatureError(.missingComponent, "digest must be signed when there is a body") }
            guard let digest = request.headers["Digest"] else { throw SignatureError(.missingDigest, "the Digest header is missing") }
            try BodyDigest.verifyDigestHeader(digest, body: request.body)
        }
        let base = try signingString(parameters.headers, request: request, created: parameters.created, expires: parameters.expires)
        return SignatureInspection(
            format: .cavage, keyId: parameters.keyId, signedAt: signedAt, algorithms: algorithms, base: Array(base.utf8),
            signature: parameters.signature)
    }

    /// Signs as Mastodon does: `(request-target) host date`, plus `digest content-type` when
    /// there is a body and `accept` when present.
    static func sign(_ request: SignableRequest, key: SigningKey, algorithm: SignatureAlgorithm, now: Date) throws(SignatureError) -> HeaderFields {
        var request = request
        if request.headers["Host"] == nil { request.headers.set("Host", request.authority) }
        request.headers.set("Date", HTTPDate.format(now))
        var names = ["(request-target)", "host", "date"]
        if request.method == "POST" || !request.body.isEmpty {
            request.headers.set("Digest", BodyDigest.digestHeader(for: request.body))
            names.append("digest")
            if request.headers["Content-Type"] != nil { names.append("content-type") }
        } else if request.headers["Accept"] != nil {
            names.append("accept")
        }
        let base = try signingString(names, request: request, created: nil, expires: nil)
        let signature = try key.sign(Array(base.utf8), algorithm: algorithm)
        let algorithmName = algorithm == .rsaSHA256 ? "rsa-sha256" : "hs2019"
        request.headers.set(
            "Signature",
            "keyId=\"\(key.keyId)\",algorithm=\"\(algorithmName)\",headers=\"\(names.joined(separator: " "))\",signature=\"\(Data(signature).base64EncodedString())\"")
        return request.headers
    }
}
