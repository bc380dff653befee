import ActivityStreams
import Domain
import Foundation
import HTTPSignatures

/// `kith federation sign`: signs a request the way Kith's delivery does and prints it as JSON,
/// so an operator (or the interop script) can check it against another implementation.
public enum RequestSigningTool {
    public enum Format: String, CaseIterable, Sendable {
        case cavage, rfc9421
    }

    public static func sign(
        privateKeyPEM: String, keyId: String, method: String, url: String, body: String, headers: [String],
        format: Format, algorithm: String?, now: Date = Date()
    ) throws -> String {
        let key: SigningKey
        do {
            key = try SigningKey(keyId: keyId, privateKeyPEM: privateKeyPEM)
        } catch {
            throw KithError(.invalidInput, "the private key: \(error.message)")
        }
        var fields = HeaderFields()
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw KithError(.invalidInput, "header '\(header)' is not of the form 'Name: value'")
            }
            fields.set(String(header[..<colon]), header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw KithError(.invalidInput, "--url must be an http(s) URL") }
        var chosen: SignatureAlgorithm?
        if let algorithm {
            guard let parsed = SignatureAlgorithm(rawValue: algorithm) else {
                let known = SignatureAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
                throw KithError(.invalidInput, "unknown algorithm '\(algorithm)' (expected one of: \(known))")
            }
            chosen = parsed
        }
        let request = SignableRequest(method: method, targetURI: url, headers: fields, body: Array(body.utf8))
        let signed: HeaderFields
        do {
            switch format {
            case .cavage: signed = try RequestSigner.signCavage(request, key: key, algorithm: chosen, now: now)
            case .rfc9421: signed = try RequestSigner.signRFC9421(request, key: key, algorithm: chosen, now: now)
            }
        } catch {
            throw KithError(.invalidInput, "cannot sign: \(error.message)")
        }
        var headerObject: [String: JSONValue] = [:]
        for field in signed { headerObject[field.name] = .string(field.value) }
        let output: JSONValue = [
            "method": .string(request.method), "url": .string(url), "headers": .object(headerObject), "body": .string(body),
            "keyId": .string(keyId), "publicKeyPem": .string(key.publicKeyPEM), "format": .string(format.rawValue),
            "signedAt": .number(now.timeIntervalSince1970.rounded(.down)),
        ]
        return String(decoding: output.serialized(), as: UTF8.self)
    }
}
