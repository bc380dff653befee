import Crypto
import Domain
import Foundation

/// OAuth 2 as Mastodon serves it: app registration, the authorization-code flow with PKCE
/// (S256), the password, client-credentials and refresh-token grants, revocation, and bearer
/// authentication with scopes. Secrets are random 256-bit values, stored as SHA-256 hashes.
public struct OAuthService: Sendable {
    public static let outOfBand = "urn:ietf:wg:oauth:2.0:oob"
    static let codeLifetime: TimeInterval = 600

    let repository: any OAuthRepository
    let hasher: any PasswordHasher
    let throttle: LoginThrottle
    /// Tokens read with their accounts, kept while neither changed (revoking a token or
    /// suspending its account changes the account), so that most requests need no query to know
    /// who is asking.
    let tokens: StampedCache<String, AccessToken>?

    public init(
        repository: any OAuthRepository, hasher: any PasswordHasher, throttle: LoginThrottle = LoginThrottle(),
        tokens: StampedCache<String, AccessToken>? = nil
    ) {
        self.repository = repository
        self.hasher = hasher
        self.throttle = throttle
        self.tokens = tokens
    }

    /// An OAuth error with its RFC 6749 code (`invalid_grant`, …) and HTTP status.
    public struct Failure: Error, Sendable, Equatable {
        public var code: String
        public var description: String
        public var status: Int
        public var retryAfter: Int?

        public init(_ code: String, _ description: String, status: Int = 400, retryAfter: Int? = nil) {
            self.code = code
            self.description = description
            self.status = status
            self.retryAfter = retryAfter
        }
    }

    public static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base64URL(bytes)
    }

    public static func hash(_ secret: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(secret.utf8)))
    }

    // MARK: Applications

    public struct RegisteredApplication: Sendable {
        public var application: OAuthApplication
        public var clientSecret: String
    }

    public func registerApplication(name: String?, redirectURIs: [String], scopes: String?, website: String?) async throws -> RegisteredApplication {
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else {
            throw KithError(.invalidInput, "client_name can't be blank")
        }
        guard name.count <= 200 else { throw KithError(.invalidInput, "client_name is too long (at most 200 characters)") }
        let uris = redirectURIs.flatMap { $0.split(whereSeparator: { $0 == "\n" || $0 == " " }) }.map(String.init).filter { !$0.isEmpty }
        guard !uris.isEmpty else { throw KithError(.invalidInput, "redirect_uris can't be blank") }
        for uri in uris where uri != Self.outOfBand {
            guard let url = URLComponents(string: uri), let scheme = url.scheme, !scheme.isEmpty, url.fragment == nil else {
                throw KithError(.invalidInput, "redirect_uris: '\(uri)' must be an absolute URI without a fragment")
            }
        }
        let parsed = try Scopes(parsing: scopes ?? "read")
        if let website, !website.isEmpty, URLComponents(string: website)?.scheme == nil {
            throw KithError(.invalidInput, "website must be a URL")
        }
        let clientID = Self.randomSecret()
        let secret = Self.randomSecret()
        let application = try await repository.createApplication(
            name: name, website: website.flatMap { $0.isEmpty ? nil : $0 }, redirectURIs: uris,
            scopes: parsed.values.isEmpty ? Scopes(["read"]) : parsed, clientID: clientID, clientSecretHash: Self.hash(secret))
        return RegisteredApplication(application: application, clientSecret: secret)
    }

    /// The application named by `clientID`, checking its secret when one is given (or required).
    public func application(clientID: String?, clientSecret: String?, requireSecret: Bool) async throws -> OAuthApplication {
        guard let clientID, let (application, secretHash) = try await repository.application(clientID: clientID) else {
            throw Failure("invalid_client", "Client authentication failed due to unknown client.", status: 401)
        }
        if requireSecret || clientSecret != nil {
            guard let clientSecret, ConstantTime.equal(Self.hash(clientSecret), secretHash) else {
                throw Failure("invalid_client", "Client authentication failed: wrong client secret.", status: 401)
            }
        }
        return application
    }

    /// Checks an authorization request (before showing the sign-in page).
    public func validateAuthorization(
        clientID: String?, redirectURI: String?, responseType: String?, scope: String?, codeChallenge: String?, codeChallengeMethod: String?
    ) async throws -> (OAuthApplication, redirectURI: String, scopes: Scopes) {
        let application = try await self.application(clientID: clientID, clientSecret: nil, requireSecret: false)
        guard responseType == "code" else { throw Failure("unsupported_response_type", "response_type must be code.") }
        let redirect = redirectURI ?? (application.redirectURIs.count == 1 ? application.redirectURIs[0] : "")
        guard application.redirectURIs.contains(redirect) else {
            throw Failure("invalid_redirect_uri", "The redirect uri included is not valid.")
        }
        let scopes = try requestedScopes(scope, application: application)
        if codeChallenge != nil {
            guard (codeChallengeMethod ?? "plain") == "S256" else {
                throw Failure("invalid_request", "code_challenge_method must be S256.")
            }
        }
        return (application, redirect, scopes)
    }

    func requestedScopes(_ scope: String?, application: OAuthApplication) throws -> Scopes {
        let requested: Scopes
        do {
            requested = try scope.map { try Scopes(parsing: $0) } ?? application.scopes
        } catch {
            throw Failure("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
        }
        let effective = requested.values.isEmpty ? application.scopes : requested
        guard application.scopes.covers(effective) else {
            throw Failure("invalid_scope", "The requested scope is not registered for this application.")
        }
        return effective
    }

    // MARK: Sign-in

    /// Checks a username (or email) and password, rate-limited per account and per address.
    public func signIn(login: String, password: String, address: String) async throws -> Account {
        let key = login.lowercased()
        if let wait = await throttle.blocked(account: key, address: address) {
            throw Failure("rate_limited", "Too many failed sign-in attempts; try again later.", status: 429, retryAfter: wait)
        }
        guard let (account, hash) = try await repository.credentials(login: login), try await hasher.verify(password, hash: hash) else {
            await throttle.failed(account: key, address: address)
            throw Failure("invalid_grant", "The username or password is wrong.")
        }
        await throttle.succeeded(account: key)
        guard !account.suspended, !account.disabled else {
            throw Failure("invalid_grant", "Your login is currently disabled.", status: 403)
        }
        return account
    }

    /// Issues an authorization code for a signed-in account.
    public func issueCode(application: OAuthApplication, account: Account, redirectURI: String, scopes: Scopes, codeChallenge: String?) async throws -> String {
        let code = Self.randomSecret()
        try await repository.storeCode(
            hash: Self.hash(code),
            AuthorizationCode(
                applicationID: application.id, accountID: account.id, redirectURI: redirectURI, scopes: scopes, codeChallenge: codeChallenge,
                expiresAt: Date().addingTimeInterval(Self.codeLifetime)))
        return code
    }

    // MARK: Tokens

    public struct IssuedToken: Sendable {
        public var accessToken: String
        public var refreshToken: String?
        public var token: AccessToken
    }

    /// `POST /oauth/token`, for the four grants.
    public func token(grant: String?, parameters: [String: String], basicAuth: (String, String)?, address: String) async throws -> IssuedToken {
        let clientID = basicAuth?.0 ?? parameters["client_id"]
        let clientSecret = basicAuth?.1 ?? parameters["client_secret"]
        switch grant {
        case "authorization_code":
            let application = try await self.application(clientID: clientID, clientSecret: clientSecret, requireSecret: parameters["code_verifier"] == nil)
            guard let code = parameters["code"], let stored = try await repository.consumeCode(hash: Self.hash(code)),
                stored.applicationID == application.id
            else {
                throw Failure("invalid_grant", "The authorization code is invalid, expired, or was already used.")
            }
            guard parameters["redirect_uri"] == nil || parameters["redirect_uri"] == stored.redirectURI else {
                throw Failure("invalid_grant", "The redirect_uri does not match the authorization request.")
            }
            if let challenge = stored.codeChallenge {
                guard let verifier = parameters["code_verifier"], Self.s256(verifier) == challenge else {
                    throw Failure("invalid_grant", "The code_verifier does not match the code_challenge.")
                }
            }
            return try await issue(application: application, accountID: stored.accountID, scopes: stored.scopes, refresh: true)
        case "password":
            let application = try await self.application(clientID: clientID, clientSecret: clientSecret, requireSecret: true)
            let scopes = try requestedScopes(parameters["scope"], application: application)
            guard let username = parameters["username"], let password = parameters["password"] else {
                throw Failure("invalid_request", "username and password are required.")
            }
            let account = try await signIn(login: username, password: password, address: address)
            return try await issue(application: application, accountID: account.id, scopes: scopes, refresh: true)
        case "client_credentials":
            let application = try await self.application(clientID: clientID, clientSecret: clientSecret, requireSecret: true)
            let scopes = try requestedScopes(parameters["scope"], application: application)
            return try await issue(application: application, accountID: nil, scopes: scopes, refresh: false)
        case "refresh_token":
            let application = try await self.application(clientID: clientID, clientSecret: clientSecret, requireSecret: true)
            guard let refresh = parameters["refresh_token"],
                let old = try await repository.consumeRefreshToken(hash: Self.hash(refresh), applicationID: application.id)
            else {
                throw Failure("invalid_grant", "The refresh token is invalid or was already used.")
            }
            return try await issue(application: application, accountID: old.accountID, scopes: old.scopes, refresh: true)
        default:
            throw Failure("unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
        }
    }

    func issue(application: OAuthApplication, accountID: Int64?, scopes: Scopes, refresh: Bool) async throws -> IssuedToken {
        let access = Self.randomSecret()
        let refreshToken = refresh ? Self.randomSecret() : nil
        let token = try await repository.createToken(
            hash: Self.hash(access), refreshHash: refreshToken.map(Self.hash), applicationID: application.id, accountID: accountID, scopes: scopes)
        return IssuedToken(accessToken: access, refreshToken: refreshToken, token: token)
    }

    /// `POST /oauth/revoke`: revokes the token if it belongs to the client; silent otherwise.
    public func revoke(token: String?, clientID: String?, clientSecret: String?) async throws {
        let application = try await self.application(clientID: clientID, clientSecret: clientSecret, requireSecret: true)
        guard let token, !token.isEmpty else { throw Failure("invalid_request", "token is required.") }
        try await repository.revoke(hash: Self.hash(token), applicationID: application.id)
    }

    /// The token of an `Authorization: Bearer …` header: 401 without a valid one. Which scopes a
    /// route needs is checked where the route asks (`AppRequestContext.token(scope:)`).
    public func authenticate(authorization: String?) async throws -> AccessToken {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw KithError(.unauthorized, "The access token is invalid")
        }
        let raw = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !raw.isEmpty, let token = try await token(hash: Self.hash(raw)) else {
            throw KithError(.unauthorized, "The access token is invalid")
        }
        return token
    }

    /// The live token with this hash, from the cache when it is still current.
    func token(hash: String) async throws -> AccessToken? {
        if let cached = tokens?.value(for: hash) { return cached }
        let stamp = tokens?.clock.stamp()
        guard let token = try await repository.token(hash: hash) else { return nil }
        if let tokens, let accountID = token.accountID, token.account != nil {
            tokens.store(token, for: hash, stamp: stamp, strict: [accountID])
        }
        return token
    }

    static func s256(_ verifier: String) -> String {
        base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// Base64url without padding (RFC 4648 §5), as PKCE and the tokens use it.
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

}

/// Failed sign-ins per account and per address: after `maxPerAccount` (or `maxPerAddress`)
/// failures within `window`, further attempts are refused until the window has passed.
public actor LoginThrottle {
    let maxPerAccount: Int
    let maxPerAddress: Int
    let window: TimeInterval
    var accounts: [String: [Date]] = [:]
    var addresses: [String: [Date]] = [:]

    public init(maxPerAccount: Int = 5, maxPerAddress: Int = 20, window: TimeInterval = 300) {
        self.maxPerAccount = maxPerAccount
        self.maxPerAddress = maxPerAddress
        self.window = window
    }

    /// Seconds to wait, when blocked.
    public func blocked(account: String, address: String, now: Date = Date()) -> Int? {
        prune(now)
        let byAccount = accounts[account, default: []]
        let byAddress = addresses[address, default: []]
        if byAccount.count >= maxPerAccount, let oldest = byAccount.first {
            return max(1, Int(window - now.timeIntervalSince(oldest)))
        }
        if byAddress.count >= maxPerAddress, let oldest = byAddress.first {
            return max(1, Int(window - now.timeIntervalSince(oldest)))
        }
        return nil
    }

    public func failed(account: String, address: String, now: Date = Date()) {
        accounts[account, default: []].append(now)
        addresses[address, default: []].append(now)
    }

    public func succeeded(account: String) {
        accounts[account] = nil
    }

    func prune(_ now: Date) {
        let cutoff = now.addingTimeInterval(-window)
        accounts = accounts.compactMapValues { dates in
            let kept = dates.filter { $0 > cutoff }
            return kept.isEmpty ? nil : kept
        }
        addresses = addresses.compactMapValues { dates in
            let kept = dates.filter { $0 > cutoff }
            return kept.isEmpty ? nil : kept
        }
    }
}
