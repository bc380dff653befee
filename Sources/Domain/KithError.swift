/// An error Kith reports to a caller: a kind that maps to an HTTP status or an exit code, a
/// message safe to show to clients, and optional detail kept for logs only.
///
/// Like `PSQLError` and `HTTPClientError`, the kinds are a struct over a private enum so new
/// ones can be added without breaking callers that switch on them.
public struct KithError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        enum Code: String, Sendable { case invalidInput, notFound, conflict, unauthorized, forbidden, unavailable, misconfigured, internalError, tooLarge, unprocessable, rateLimited }
        let code: Code
        public static let invalidInput = Kind(code: .invalidInput)
        public static let notFound = Kind(code: .notFound)
        public static let conflict = Kind(code: .conflict)
        public static let unauthorized = Kind(code: .unauthorized)
        public static let forbidden = Kind(code: .forbidden)
        public static let unavailable = Kind(code: .unavailable)
        public static let misconfigured = Kind(code: .misconfigured)
        public static let internalError = Kind(code: .internalError)
        /// A request body over the size limit.
        public static let tooLarge = Kind(code: .tooLarge)
        /// Well-formed but invalid (Mastodon's 422 for validation errors).
        public static let unprocessable = Kind(code: .unprocessable)
        public static let rateLimited = Kind(code: .rateLimited)
        public var description: String { code.rawValue }
    }

    public var kind: Kind
    /// Safe to show to a client or a person at the terminal.
    public var message: String
    /// Extra detail for logs; never sent to clients.
    public var detail: String?

    public init(_ kind: Kind, _ message: String, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    public var description: String { detail.map { "\(message) (\($0))" } ?? message }
}
