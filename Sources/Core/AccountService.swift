import Foundation
import Domain

/// Hashes and checks passwords. App provides bcrypt.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, hash: String) async throws -> Bool
}

/// Makes the key pair an ActivityPub actor signs with. App provides RSA-2048.
public protocol ActorKeyGenerator: Sendable {
    /// Returns (publicKeyPEM, privateKeyPEM).
    func makeKeyPair() async throws -> (publicKeyPEM: String, privateKeyPEM: String)
}

/// Makes passwords for accounts created without one.
public protocol PasswordGenerator: Sendable {
    func makePassword() -> String
}

/// The use cases around local accounts.
public struct AccountService: Sendable {
    public static let minimumPasswordLength = 8

    let accounts: any AccountRepository
    let hasher: any PasswordHasher
    let keys: any ActorKeyGenerator
    let passwords: any PasswordGenerator
    let baseURL: String

    public init(
        accounts: any AccountRepository, hasher: any PasswordHasher, keys: any ActorKeyGenerator,
        passwords: any PasswordGenerator, baseURL: String
    ) {
        self.accounts = accounts
        self.hasher = hasher
        self.keys = keys
        self.passwords = passwords
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    public struct Created: Sendable {
        public var account: Account
        /// Set only when the password was generated, so it can be shown once.
        public var generatedPassword: String?
    }

    /// Creates a local account. Validates everything before touching storage so a bad request
    /// leaves nothing behind.
    public func createLocal(username rawUsername: String, email rawEmail: String, role: Role, password: String?) async throws -> Created {
        let username = try Username(rawUsername)
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        try Self.validateEmail(email)
        if let password, password.count < Self.minimumPasswordLength {
            throw KithError(.invalidInput, "password must be at least \(Self.minimumPasswordLength) characters")
        }
        if try await accounts.findLocal(username: username.value) != nil {
            throw KithError(.conflict, "username '\(username.value)' is already taken")
        }
        let plain = password ?? passwords.makePassword()
        let hash = try await hasher.hash(plain)
        let pair = try await keys.makeKeyPair()
        let account = try await accounts.createLocal(
            NewLocalAccount(
                username: username, email: email, role: role, passwordHash: hash,
                publicKeyPEM: pair.publicKeyPEM, privateKeyPEM: pair.privateKeyPEM, baseURL: baseURL))
        return Created(account: account, generatedPassword: password == nil ? plain : nil)
    }

    static func validateEmail(_ email: String) throws(KithError) {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !email.contains(where: { $0.isWhitespace }), email.count <= 254
        else {
            throw KithError(.invalidInput, "email '\(email)' is not a valid address")
        }
    }
}
