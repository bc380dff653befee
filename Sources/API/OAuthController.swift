import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// OAuth 2: app registration, the sign-in and consent page, tokens, revocation, and the
/// RFC 8414 metadata document.
public struct OAuthController: Sendable {
    let oauth: OAuthService
    let baseURL: String
    let nodeName: String

    public init(oauth: OAuthService, baseURL: String, nodeName: String) {
        self.oauth = oauth
        self.baseURL = baseURL
        self.nodeName = nodeName
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/apps") { request, _ in try await self.createApp(request) }
        router.get("/api/v1/apps/verify_credentials") { _, context in
            let token = try context.token(scope: nil)
            return DocumentResponse.json(Self.application(token.application, secret: nil), contentType: "application/json; charset=utf-8")
        }
        router.get("/oauth/authorize") { request, _ in try await self.authorizePage(request) }
        router.post("/oauth/authorize") { request, context in try await self.authorize(request, context: context) }
        router.post("/oauth/token") { request, context in try await self.token(request, context: context) }
        router.post("/oauth/revoke") { request, _ in
            let parameters = try await RequestParameters.parse(request)
            let basic = Self.basicAuth(request)
            do {
                try await self.oauth.revoke(
                    token: parameters["token"], clientID: basic?.0 ?? parameters["client_id"], clientSecret: basic?.1 ?? parameters["client_secret"])
            } catch let failure as OAuthService.Failure {
                return Self.failure(failure)
            }
            return DocumentResponse.json([:], contentType: "application/json; charset=utf-8")
        }
        router.get("/.well-known/oauth-authorization-server") { _, _ in
            DocumentResponse.json(self.metadata(), contentType: "application/json; charset=utf-8")
        }
    }

    func metadata() -> JSONValue {
        [
            "issuer": .string(baseURL + "/"),
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": .string(baseURL + "/oauth/authorize"),
            "token_endpoint": .string(baseURL + "/oauth/token"),
            "revocation_endpoint": .string(baseURL + "/oauth/revoke"),
            "app_registration_endpoint": .string(baseURL + "/api/v1/apps"),
            "scopes_supported": .array(Scopes.known.sorted().map { .string($0) }),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        ]
    }

    static func application(_ app: OAuthApplication, secret: String?) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(String(app.id)), "name": .string(app.name), "website": .optional(app.website),
            "scopes": .array(app.scopes.values.map { .string($0) }), "redirect_uri": .string(app.redirectURIs.joined(separator: "\n")),
            "redirect_uris": .array(app.redirectURIs.map { .string($0) }),
        ]
        if let secret {
            object["client_id"] = .string(app.clientID)
            object["client_secret"] = .string(secret)
            object["client_secret_expires_at"] = 0
        }
        return .object(object)
    }

    func createApp(_ request: Request) async throws -> Response {
        let parameters = try await RequestParameters.parse(request)
        let registered: OAuthService.RegisteredApplication
        do {
            registered = try await oauth.registerApplication(
                name: parameters["client_name"], redirectURIs: parameters.list("redirect_uris"), scopes: parameters["scopes"],
                website: parameters["website"])
        } catch let error as KithError where error.kind == .invalidInput {
            throw KithError(.unprocessable, "Validation failed: \(error.message)")
        }
        return DocumentResponse.json(Self.application(registered.application, secret: registered.clientSecret), contentType: "application/json; charset=utf-8")
    }

    static func basicAuth(_ request: Request) -> (String, String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        let id = String(decoded[..<colon]).removingPercentEncoding ?? ""
        let secret = String(decoded[decoded.index(after: colon)...]).removingPercentEncoding ?? ""
        return (id, secret)
    }

    static func failure(_ failure: OAuthService.Failure) -> Response {
        var response = DocumentResponse.json(
            ["error": .string(failure.code), "error_description": .string(failure.description)], contentType: "application/json; charset=utf-8",
            status: .init(code: failure.status))
        if let wait = failure.retryAfter { response.headers[.retryAfter] = String(wait) }
        return response
    }

    func token(_ request: Request, context: AppRequestContext) async throws -> Response {
        let parameters = try await RequestParameters.parse(request)
        do {
            let issued = try await oauth.token(
                grant: parameters["grant_type"], parameters: parameters.single, basicAuth: Self.basicAuth(request),
                address: context.clientAddress(request))
            var body: [String: JSONValue] = [
                "access_token": .string(issued.accessToken), "token_type": "Bearer", "scope": .string(issued.token.scopes.description),
                "created_at": .number(issued.token.createdAt.timeIntervalSince1970.rounded(.down)),
            ]
            if let refresh = issued.refreshToken { body["refresh_token"] = .string(refresh) }
            var response = DocumentResponse.json(.object(body), contentType: "application/json; charset=utf-8")
            response.headers[.cacheControl] = "no-store"
            return response
        } catch let failure as OAuthService.Failure {
            return Self.failure(failure)
        }
    }

    // MARK: The sign-in and consent page

    func authorizePage(_ request: Request) async throws -> Response {
        let parameters = try await RequestParameters.parse(request)
        do {
            let (application, redirect, scopes) = try await oauth.validateAuthorization(
                clientID: parameters["client_id"], redirectURI: parameters["redirect_uri"], responseType: parameters["response_type"],
                scope: parameters["scope"], codeChallenge: parameters["code_challenge"], codeChallengeMethod: parameters["code_challenge_method"])
            return AuthorizePage.signIn(
                node: nodeName, application: application, scopes: scopes, hidden: [
                    "client_id": application.clientID, "redirect_uri": redirect, "response_type": "code", "scope": scopes.description,
                    "state": parameters["state"] ?? "", "code_challenge": parameters["code_challenge"] ?? "",
                    "code_challenge_method": parameters["code_challenge_method"] ?? "",
                ], error: nil)
        } catch let failure as OAuthService.Failure {
            return AuthorizePage.error(node: nodeName, failure.description, status: .init(code: failure.status))
        }
    }

    func authorize(_ request: Request, context: AppRequestContext) async throws -> Response {
        let parameters = try await RequestParameters.parse(request)
        let challenge = parameters["code_challenge"].flatMap { $0.isEmpty ? nil : $0 }
        let method = parameters["code_challenge_method"].flatMap { $0.isEmpty ? nil : $0 }
        let (application, redirect, scopes): (OAuthApplication, String, Scopes)
        do {
            (application, redirect, scopes) = try await oauth.validateAuthorization(
                clientID: parameters["client_id"], redirectURI: parameters["redirect_uri"], responseType: parameters["response_type"],
                scope: parameters["scope"], codeChallenge: challenge, codeChallengeMethod: method)
        } catch let failure as OAuthService.Failure {
            return AuthorizePage.error(node: nodeName, failure.description, status: .init(code: failure.status))
        }
        let state = parameters["state"].flatMap { $0.isEmpty ? nil : $0 }
        if parameters["decision"] == "deny" {
            return redirectResponse(redirect, ["error": "access_denied", "error_description": "The resource owner denied the request.", "state": state])
        }
        let account: Account
        do {
            account = try await oauth.signIn(
                login: parameters["username"] ?? "", password: parameters["password"] ?? "", address: context.clientAddress(request))
        } catch let failure as OAuthService.Failure {
            var hidden = parameters.single.filter { !["username", "password", "decision"].contains($0.key) }
            hidden["scope"] = scopes.description
            var response = AuthorizePage.signIn(
                node: nodeName, application: application, scopes: scopes, hidden: hidden,
                error: failure.status == 429 ? "Too many failed attempts. Try again later." : "The username or password is wrong.",
                status: failure.status == 429 ? .tooManyRequests : .unauthorized)
            if let wait = failure.retryAfter { response.headers[.retryAfter] = String(wait) }
            return response
        }
        let code = try await oauth.issueCode(application: application, account: account, redirectURI: redirect, scopes: scopes, codeChallenge: challenge)
        if redirect == OAuthService.outOfBand {
            return AuthorizePage.outOfBand(node: nodeName, code: code)
        }
        return redirectResponse(redirect, ["code": code, "state": state])
    }

    func redirectResponse(_ base: String, _ query: [String: String?]) -> Response {
        var components = URLComponents(string: base) ?? URLComponents()
        var items = components.queryItems ?? []
        for (name, value) in query.sorted(by: { $0.key < $1.key }) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        components.queryItems = items
        return Response(status: .found, headers: [.location: components.string ?? base])
    }
}

/// The HTML pages of the authorization flow: plain, accessible, no scripts.
enum AuthorizePage {
    static func escape(_ text: String) -> String { ASObject.escapeHTML(text) }

    static func page(_ title: String, _ body: String, status: HTTPResponse.Status) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
            label{display:block;margin-top:1rem}input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem}
            .actions{margin-top:1.5rem;display:flex;gap:1rem}button{padding:.6rem 1.2rem;font-size:1rem}
            .error{color:#a00;font-weight:bold}code{font-size:1.2rem;word-break:break-all}ul{padding-left:1.2rem}</style>
            </head><body>\(body)</body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func signIn(
        node: String, application: OAuthApplication, scopes: Scopes, hidden: [String: String], error: String?, status: HTTPResponse.Status = .ok
    ) -> Response {
        let fields = hidden.sorted { $0.key < $1.key }.map { #"<input type="hidden" name="\#(escape($0.key))" value="\#(escape($0.value))">"# }
            .joined(separator: "\n")
        let scopeList = scopes.values.map { "<li><code>\(escape($0))</code></li>" }.joined()
        let body = """
            <h1>Sign in to \(escape(node))</h1>
            <p><strong>\(escape(application.name))</strong> asks for access to your account:</p>
            <ul>\(scopeList)</ul>
            \(error.map { #"<p class="error" role="alert">\#(escape($0))</p>"# } ?? "")
            <form method="post" action="/oauth/authorize">
            \(fields)
            <label for="username">Username or email</label>
            <input type="text" id="username" name="username" autocomplete="username" required>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>
            <div class="actions"><button type="submit" name="decision" value="allow">Authorize</button>
            <button type="submit" name="decision" value="deny" formnovalidate>Deny</button></div>
            </form>
            """
        return page("Authorize \(application.name)", body, status: status)
    }

    static func outOfBand(node: String, code: String) -> Response {
        page("Authorization code", "<h1>Authorization code</h1><p>Copy this code and paste it into the application:</p><p><code id=\"code\">\(escape(code))</code></p>", status: .ok)
    }

    static func error(node: String, _ message: String, status: HTTPResponse.Status) -> Response {
        page("Authorization error", "<h1>This application cannot be authorized</h1><p class=\"error\">\(escape(message))</p>", status: status)
    }
}
