import struct Foundation.Date

/// OAuth storage. Every secret arrives here already hashed.
public protocol OAuthRepository: Sendable {
    func createApplication(name: String, website: String?, redirectURIs: [String], scopes: Scopes, clientID: String, clientSecretHash: String) async throws -> OAuthApplication
    /// The application and its secret's hash.
    func application(clientID: String) async throws -> (OAuthApplication, secretHash: String)?
    func storeCode(hash: String, _ code: AuthorizationCode) async throws
    /// Marks the code used and returns it, once; nil when unknown, used or expired.
    func consumeCode(hash: String) async throws -> AuthorizationCode?
    func createToken(hash: String, refreshHash: String?, applicationID: Int64, accountID: Int64?, scopes: Scopes) async throws -> AccessToken
    /// A live (not revoked) token by its hash.
    func token(hash: String) async throws -> AccessToken?
    /// Revokes the token holding this refresh token and returns it; nil when unknown.
    func consumeRefreshToken(hash: String, applicationID: Int64) async throws -> AccessToken?
    /// Revokes the token whose access or refresh token has this hash, if it belongs to the app.
    func revoke(hash: String, applicationID: Int64) async throws
    /// A local account and its password hash, by username or email.
    func credentials(login: String) async throws -> (Account, passwordHash: String)?
}
