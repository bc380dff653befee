import Core
import Domain
import Hummingbird

/// Who a request is made by, as its bearer token says. `AuthenticationMiddleware` reads it
/// once per request; each route then asks for what it needs (`user(scope:)`, `token(scope:)`,
/// `staff(…)`), and a route that needs nobody never sees a bad token's error.
public enum RequestIdentity: Sendable {
    /// No `Authorization` header.
    case none
    /// A live token, with the account it acts for when it has one.
    case token(Bearer)
    /// A header that names no live token (or is not `Bearer`): the error a route needing a user answers.
    case invalid(KithError)
}

/// A live token and the account it acts for (nil for an application's own token). A class, so
/// the request context, copied into every middleware and route, stays one reference wide.
public final class Bearer: Sendable {
    public let token: AccessToken
    public let account: Account?

    init(token: AccessToken, account: Account?) {
        self.token = token
        self.account = account
    }
}

/// Reads the request's bearer token (from the token cache, or storage) into the context.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let oauth: OAuthService
    let accounts: any RemoteAccountRepository

    public init(oauth: OAuthService, accounts: any RemoteAccountRepository) {
        self.oauth = oauth
        self.accounts = accounts
    }

    public func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        do {
            let token = try await oauth.authenticate(authorization: authorization)
            var account = token.account
            if account == nil, let id = token.accountID { account = try await accounts.account(id: id) }
            context.identity = .token(Bearer(token: token, account: account))
        } catch let error as KithError {
            context.identity = .invalid(error)
        }
        return try await next(request, context)
    }
}

extension AppRequestContext {
    /// The request's token if it grants `scope` (any live token when nil): 401 without a valid
    /// token, 403 when the scope is not granted.
    public func token(scope: String?) throws -> AccessToken {
        switch identity {
        case .none: throw KithError(.unauthorized, "The access token is invalid")
        case .invalid(let error): throw error
        case .token(let bearer):
            if let scope, !bearer.token.scopes.allows(scope) { throw KithError(.forbidden, "This action is outside the authorized scopes") }
            return bearer.token
        }
    }

    /// The signed-in account of a user token that grants `scope`: 422 for an application's own
    /// token; 403 once the account is suspended or disabled (and working again when lifted).
    public func user(scope: String?) throws -> Account {
        _ = try token(scope: scope)
        guard case .token(let bearer) = identity, let account = bearer.account else {
            throw KithError(.unprocessable, "This method requires an authenticated user")
        }
        guard !account.suspended, !account.disabled else { throw KithError(.forbidden, "Your login is currently disabled") }
        return account
    }

    /// The signed-in account, if its token grants `scope` and its role is staff (moderator or
    /// more; admin or more with `adminOnly`), and how the audit log names it: 403 otherwise, as
    /// Mastodon answers.
    public func staff(_ request: Request, scope: String, adminOnly: Bool) throws -> (Account, AuditActor) {
        let account = try user(scope: scope)
        guard adminOnly ? account.role.isAdmin : account.role.isStaff else { throw KithError(.forbidden, "This action is not allowed") }
        return (account, auditActor(account, request))
    }

    /// How the audit log names a signed-in account acting through the API.
    public func auditActor(_ account: Account, _ request: Request) -> AuditActor {
        AuditActor(accountID: account.id, label: account.username, address: clientAddress(request))
    }

    /// Whether the request came with no `Authorization` header at all.
    var anonymous: Bool {
        if case .none = identity { return true }
        return false
    }
}
