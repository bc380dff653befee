/// A local username, validated by Mastodon's rule for local accounts: ASCII letters, digits and
/// underscore, 1 to 30 characters. Stored as typed; compared case-insensitively (Mastodon does
/// the same), which the database enforces with a unique index on `lower(username)`.
public struct Username: Sendable, Hashable, CustomStringConvertible {
    public static let maxLength = 30
    public let value: String

    public init(_ raw: String) throws(KithError) {
        guard !raw.isEmpty else {
            throw KithError(.invalidInput, "username must not be empty")
        }
        guard raw.utf8.count <= Self.maxLength else {
            throw KithError(.invalidInput, "username '\(raw)' is longer than \(Self.maxLength) characters")
        }
        for byte in raw.utf8 {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            guard ok else {
                throw KithError(.invalidInput, "username '\(raw)' may contain only letters, digits and underscore")
            }
        }
        self.value = raw
    }

    public var description: String { value }
}
