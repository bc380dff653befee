import Domain
import Foundation
import Logging
import PostgresNIO

/// OAuth applications, codes and tokens in PostgreSQL (secrets as hashes only).
public struct PostgresOAuthRepository: OAuthRepository {
    let client: PostgresClient
    let baseLogger: Logger
    /// The request's or job's logger when one is bound, so each query's log lines name what it was for.
    var logger: Logger { .current(or: baseLogger) }

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.baseLogger = logger
    }

    static let applicationColumns = "a.id, a.name, a.website, a.redirect_uris, a.scopes, a.client_id, a.created_at, a.client_secret_hash"

    static func application(_ row: PostgresRow) throws -> (OAuthApplication, String) {
        let (id, name, website, redirects, scopes, clientID, createdAt, secret) =
            try row.decode((Int64, String, String?, [String], String, String, Date, String).self)
        return (
            OAuthApplication(
                id: id, name: name, website: website, redirectURIs: redirects, scopes: Scopes(scopes.split(separator: " ").map(String.init)),
                clientID: clientID, createdAt: createdAt), secret
        )
    }

    public func createApplication(
        name: String, website: String?, redirectURIs: [String], scopes: Scopes, clientID: String, clientSecretHash: String
    ) async throws -> OAuthApplication {
        let rows = try await client.query(
            """
            INSERT INTO oauth_applications AS a (name, website, redirect_uris, scopes, client_id, client_secret_hash)
            VALUES (\(name), \(website), \(redirectURIs), \(scopes.description), \(clientID), \(clientSecretHash))
            RETURNING \(unescaped: Self.applicationColumns)
            """, logger: logger)
        for try await row in rows { return try Self.application(row).0 }
        throw KithError(.internalError, "application insert returned nothing")
    }

    public func application(clientID: String) async throws -> (OAuthApplication, secretHash: String)? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.applicationColumns) FROM oauth_applications a WHERE a.client_id = \(clientID)", logger: logger)
        for try await row in rows {
            let (app, secret) = try Self.application(row)
            return (app, secret)
        }
        return nil
    }

    public func storeCode(hash: String, _ code: AuthorizationCode) async throws {
        try await client.query(
            """
            INSERT INTO oauth_authorization_codes (code_hash, application_id, account_id, redirect_uri, scopes, code_challenge, expires_at)
            VALUES (\(hash), \(code.applicationID), \(code.accountID), \(code.redirectURI), \(code.scopes.description), \(code.codeChallenge),
                \(code.expiresAt))
            """, logger: logger)
    }

    public func consumeCode(hash: String) async throws -> AuthorizationCode? {
        let rows = try await client.query(
            """
            UPDATE oauth_authorization_codes SET used_at = now()
            WHERE code_hash = \(hash) AND used_at IS NULL AND expires_at > now()
            RETURNING application_id, account_id, redirect_uri, scopes, code_challenge, expires_at
            """, logger: logger)
        for try await (app, account, redirect, scopes, challenge, expires) in rows.decode((Int64, Int64, String, String, String?, Date).self) {
            return AuthorizationCode(
                applicationID: app, accountID: account, redirectURI: redirect, scopes: Scopes(scopes.split(separator: " ").map(String.init)),
                codeChallenge: challenge, expiresAt: expires)
        }
        return nil
    }

    static let tokenColumns = "t.id, t.account_id, t.scopes, t.created_at, \(applicationColumns)"
    static let tokenColumnCount = tokenColumns.split(separator: ",").count
    static let tokenTables = "oauth_tokens t JOIN oauth_applications a ON a.id = t.application_id"
    static let tokenSelect = "SELECT \(tokenColumns) FROM \(tokenTables)"

    func tokens(_ query: PostgresQuery) async throws -> [AccessToken] {
        var result: [AccessToken] = []
        for try await row in try await client.query(query, logger: logger) { result.append(try Self.decodeToken(row)) }
        return result
    }

    /// One token from a row of `tokenSelect`.
    static func decodeToken(_ row: PostgresRow) throws -> AccessToken {
        let (id, account, scopes, created) = try row.decode((Int64, Int64?, String, Date).self)
        let c = row.makeRandomAccess()
        let app = OAuthApplication(
            id: try c[4].decode(Int64.self), name: try c[5].decode(String.self), website: try c[6].decode(String?.self),
            redirectURIs: try c[7].decode([String].self), scopes: Scopes(try c[8].decode(String.self).split(separator: " ").map(String.init)),
            clientID: try c[9].decode(String.self), createdAt: try c[10].decode(Date.self))
        return AccessToken(id: id, application: app, accountID: account, scopes: Scopes(scopes.split(separator: " ").map(String.init)), createdAt: created)
    }

    /// Every authenticated request looks its token up, with its account in the same query:
    /// prepared once per connection.
    struct TokenByHash: PostgresPreparedStatement {
        static let sql = """
            SELECT \(tokenColumns), \(PostgresAccountRepository.columns(of: "u"))
            FROM \(tokenTables) LEFT JOIN accounts u ON u.id = t.account_id
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL
            """
        typealias Row = AccessToken
        var hash: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(hash)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> AccessToken {
            var token = try PostgresOAuthRepository.decodeToken(row)
            // The account's columns come after the token's and the application's.
            let first = PostgresOAuthRepository.tokenColumnCount
            if token.accountID != nil, try row.makeRandomAccess()[first].decode(Int64?.self) != nil {
                token.account = try PostgresAccountRepository.decode(row, from: first)
            }
            return token
        }
    }

    public func createToken(hash: String, refreshHash: String?, applicationID: Int64, accountID: Int64?, scopes: Scopes) async throws -> AccessToken {
        let rows = try await client.query(
            """
            INSERT INTO oauth_tokens (token_hash, refresh_token_hash, application_id, account_id, scopes)
            VALUES (\(hash), \(refreshHash), \(applicationID), \(accountID), \(scopes.description)) RETURNING id
            """, logger: logger)
        var id: Int64?
        for try await value in rows.decode(Int64.self) { id = value }
        guard let id, let token = try await tokens("\(unescaped: Self.tokenSelect) WHERE t.id = \(id)").first else {
            throw KithError(.internalError, "token insert returned nothing")
        }
        return token
    }

    public func token(hash: String) async throws -> AccessToken? {
        for try await token in try await client.execute(TokenByHash(hash: hash), logger: logger) { return token }
        return nil
    }

    public func consumeRefreshToken(hash: String, applicationID: Int64) async throws -> AccessToken? {
        let rows = try await client.query(
            """
            UPDATE oauth_tokens SET revoked_at = now()
            WHERE refresh_token_hash = \(hash) AND application_id = \(applicationID) AND revoked_at IS NULL RETURNING id
            """, logger: logger)
        var id: Int64?
        for try await value in rows.decode(Int64.self) { id = value }
        guard let id else { return nil }
        return try await tokens("\(unescaped: Self.tokenSelect) WHERE t.id = \(id)").first
    }

    public func revoke(hash: String, applicationID: Int64) async throws {
        try await client.query(
            """
            UPDATE oauth_tokens SET revoked_at = now()
            WHERE (token_hash = \(hash) OR refresh_token_hash = \(hash)) AND application_id = \(applicationID) AND revoked_at IS NULL
            """, logger: logger)
    }

    public func credentials(login: String) async throws -> (Account, passwordHash: String)? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: PostgresAccountRepository.columns), password_hash FROM accounts
            WHERE domain IS NULL AND (lower(username) = lower(\(login)) OR lower(email) = lower(\(login)))
            """, logger: logger)
        for try await row in rows {
            let account = try PostgresAccountRepository.decode(row)
            guard let hash = try row.makeRandomAccess()[PostgresAccountRepository.columnCount].decode(String?.self) else { return nil }
            return (account, hash)
        }
        return nil
    }
}
