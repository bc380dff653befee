/// Why a request's signature was not accepted. Each reason is distinct so the inbox can log
/// it and tests can check it; all of them mean 401 to the sender.
public struct SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Reason: Sendable, Hashable, CustomStringConvertible {
        enum Code: String, Sendable {
            case missing, malformed, unsupportedAlgorithm, missingComponent, missingDigest, digestMismatch
            case stale, future, invalidSignature, invalidKey
        }
        let code: Code
        /// No `Signature` (or `Signature-Input`) header.
        public static let missing = Reason(code: .missing)
        /// A header that does not parse.
        public static let malformed = Reason(code: .malformed)
        public static let unsupportedAlgorithm = Reason(code: .unsupportedAlgorithm)
        /// A part that must be signed (request target, date, digest, host…) is not.
        public static let missingComponent = Reason(code: .missingComponent)
        /// A request with a body has no `Digest`/`Content-Digest` header of a known algorithm.
        public static let missingDigest = Reason(code: .missingDigest)
        /// The digest header does not match the body.
        public static let digestMismatch = Reason(code: .digestMismatch)
        /// Signed too long ago, or expired.
        public static let stale = Reason(code: .stale)
        /// Signed too far in the future.
        public static let future = Reason(code: .future)
        /// The signature does not verify with the key.
        public static let invalidSignature = Reason(code: .invalidSignature)
        /// The key cannot be read, or does not fit the algorithm.
        public static let invalidKey = Reason(code: .invalidKey)
        public var description: String { code.rawValue }
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }
}
