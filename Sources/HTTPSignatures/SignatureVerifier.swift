import Foundation

/// Which signature scheme a request used.
public enum SignatureFormat: String, Sendable {
    case cavage = "draft-cavage-12"
    case rfc9421 = "rfc9421"
}

/// How far from now a signature's time may be (Mastodon allows about an hour either way).
public struct SignatureWindow: Sendable {
    public var maxAge: TimeInterval
    public var maxFuture: TimeInterval

    public init(maxAge: TimeInterval = 3600, maxFuture: TimeInterval = 3600) {
        self.maxAge = maxAge
        self.maxFuture = maxFuture
    }

    func check(_ signedAt: Date, expires: Int64?, now: Date) throws(SignatureError) {
        let age = now.timeIntervalSince(signedAt)
        if age > maxAge { throw SignatureError(.stale, "the signature was made \(Int(age)) s ago (limit \(Int(maxAge)) s)") }
        if -age > maxFuture { throw SignatureError(.future, "the signature is dated \(Int(-age)) s in the future (limit \(Int(maxFuture)) s)") }
        if let expires, TimeInterval(expires) < now.timeIntervalSince1970 {
            throw SignatureError(.stale, "the signature expired")
        }
    }
}

/// A request's signature, parsed and checked in every way that needs no key: the caller
/// fetches the key named by `keyId` and then calls `verify(with:)`.
public struct SignatureInspection: Sendable {
    public let format: SignatureFormat
    /// The key's URL; its owner is the actor that signed.
    public let keyId: String
    public let signedAt: Date?
    /// nil: decided by the key type (cavage `hs2019`, RFC 9421 without `alg`).
    let algorithms: [SignatureAlgorithm]?
    let base: [UInt8]
    let signature: [UInt8]

    /// Throws `.invalidSignature` unless the signature verifies with `key`.
    public func verify(with key: VerificationKey) throws(SignatureError) {
        let candidates = algorithms ?? (key.isRSA ? [.rsaSHA256, .rsaPSSSHA512] : [.ed25519])
        for algorithm in candidates where key.isValid(signature, for: base, algorithm: algorithm) {
            return
        }
        throw SignatureError(.invalidSignature, "the signature does not verify with key \(keyId)")
    }
}

/// Checks incoming signatures in either format. RFC 9421 is used when `Signature-Input` is
/// present, draft-cavage otherwise.
public struct SignatureVerifier: Sendable {
    public var window: SignatureWindow

    public init(window: SignatureWindow = SignatureWindow()) {
        self.window = window
    }

    /// Parses the signature and checks what needs no key: required components, time window,
    /// body digest. Throws `SignatureError`.
    public func inspect(_ request: SignableRequest, now: Date = Date()) throws(SignatureError) -> SignatureInspection {
        if let input = request.headers["Signature-Input"] {
            guard let signature = request.headers["Signature"] else {
                throw SignatureError(.missing, "Signature-Input without Signature")
            }
            return try RFC9421.inspect(input: input, signature: signature, request: request, window: window, now: now)
        }
        guard let header = Cavage.header(in: request.headers) else {
            throw SignatureError(.missing, "the request is not signed")
        }
        return try Cavage.inspect(header, request: request, window: window, now: now)
    }
}

/// Signs outgoing requests.
public enum RequestSigner {
    /// Returns `request.headers` with `Host`, `Date`, `Digest` (when there is a body) and a
    /// draft-cavage `Signature`, in Mastodon's form (what every peer accepts).
    public static func signCavage(
        _ request: SignableRequest, key: SigningKey, algorithm: SignatureAlgorithm? = nil, now: Date = Date()
    ) throws(SignatureError) -> HeaderFields {
        try Cavage.sign(request, key: key, algorithm: algorithm ?? key.defaultAlgorithm, now: now)
    }

    /// Returns `request.headers` with `Content-Digest` (when there is a body), `Signature-Input`
    /// and `Signature` (RFC 9421), covering `@method`, `@target-uri` and `content-digest`.
    public static func signRFC9421(
        _ request: SignableRequest, key: SigningKey, algorithm: SignatureAlgorithm? = nil, label: String = "sig1",
        now: Date = Date()
    ) throws(SignatureError) -> HeaderFields {
        try RFC9421.sign(request, key: key, algorithm: algorithm ?? key.defaultAlgorithm, label: label, now: now)
    }
}
