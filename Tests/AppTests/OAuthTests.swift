import ActivityStreams
import Core
import Crypto
import Domain
import Foundation
import KithTestSupport
import Testing

/// OAuth 2 and the first Mastodon endpoints, over real HTTP against a whole node.
@Suite(.serialized, .timeLimit(.minutes(20))) struct OAuthTests {
    func withNode(_ body: @escaping @Sendable (TestNode, Account) async throws -> Void) async throws {
        try await withNodeGate { try await node(body) }
    }

    func node(_ body: @Sendable (TestNode, Account) async throws -> Void) async throws {
        let node = try await TestNode(name: "oauth")
        do {
            try await node.start()
            let alice = try await node.createAccount("alice")
            try await node.setPassword(alice, "correct horse battery")
            try await body(node, alice)
        } catch {
            await node.remove()
            throw error
        }
        await node.remove()
    }

    func register(_ node: TestNode, scopes: String = "read write follow", redirect: String = "https://app.example/callback") async throws -> (id: String, secret: String) {
        let reply = try await RawHTTP.send(
            .POST, node.baseURL + "/api/v1/apps", headers: ["Content-Type": "application/json"],
            body: #"{"client_name":"Test App","redirect_uris":"\#(redirect)","scopes":"\#(scopes)","website":"https://app.example"}"#)
        #expect(reply.status == 200, "\(reply.body)")
        let json = try #require(reply.json)
        return (try #require(json["client_id"]?.stringValue), try #require(json["client_secret"]?.stringValue))
    }

    func form(_ values: [String: String]) -> String {
        values.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
        }.joined(separator: "&")
    }

    func token(_ node: TestNode, _ values: [String: String]) async throws -> RawHTTP.Reply {
        try await RawHTTP.send(.POST, node.baseURL + "/oauth/token", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form(values))
    }

    @Test func appsAreRegisteredFromJSONFormOrQuery() async throws {
        try await withNode { node, _ in
            let app = try await register(node)
            #expect(app.id.count >= 40 && app.secret.count >= 40)
            let form = try await RawHTTP.send(
                .POST, node.baseURL + "/api/v1/apps", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: "client_name=Form+App&redirect_uris=urn:ietf:wg:oauth:2.0:oob&scopes=read+write")
            #expect(form.status == 200)
            #expect(form.json?["scopes"] == ["read", "write"])
            #expect(form.json?["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob")
            let query = try await RawHTTP.send(.POST, node.baseURL + "/api/v1/apps?client_name=Q&redirect_uris=https%3A%2F%2Fq.example%2Fcb")
            #expect(query.status == 200)
            #expect(query.json?["scopes"] == ["read"])
            for (body, problem) in [
                (#"{"redirect_uris":"https://x.example"}"#, "client_name"), (#"{"client_name":"X"}"#, "redirect_uris"),
                (#"{"client_name":"X","redirect_uris":"https://x.example","scopes":"read delete_everything"}"#, "scope"),
                (#"{"client_name":"X","redirect_uris":"not a uri"}"#, "redirect_uris"),
            ] {
                let reply = try await RawHTTP.send(.POST, node.baseURL + "/api/v1/apps", headers: ["Content-Type": "application/json"], body: body)
                #expect(reply.status == 422, "\(body)")
                #expect(reply.json?["error"]?.stringValue?.contains(problem) == true, "\(reply.body)")
            }
            // The stored secret is a hash, never the secret.
            #expect(try await node.count("SELECT count(*) FROM oauth_applications WHERE client_secret_hash = \(app.secret)") == 0)
            #expect(try await node.count("SELECT count(*) FROM oauth_applications WHERE client_secret_hash = \(OAuthService.hash(app.secret))") == 1)
        }
    }

    @Test func passwordAndClientCredentialsGrantsAndScopes() async throws {
        try await withNode { node, alice in
            let app = try await register(node)
            let granted = try await token(node, [
                "grant_type": "password", "client_id": app.id, "client_secret": app.secret, "username": "alice",
                "password": "correct horse battery", "scope": "read write",
            ])
            #expect(granted.status == 200, "\(granted.body)")
            let access = try #require(granted.json?["access_token"]?.stringValue)
            #expect(granted.json?["token_type"] == "Bearer")
            #expect(granted.json?["scope"] == "read write")
            #expect(granted.json?["refresh_token"]?.stringValue != nil)
            #expect(granted.headers["cache-control"] == "no-store")
            #expect(try await node.count("SELECT count(*) FROM oauth_tokens WHERE token_hash = \(OAuthService.hash(access))") == 1)

            let me = try await RawHTTP.send(.GET, node.baseURL + "/api/v1/accounts/verify_credentials", headers: ["Authorization": "Bearer \(access)"])
            #expect(me.status == 200, "\(me.body)")
            #expect(me.json?["id"]?.stringValue == String(alice.id))
            #expect(me.json?["username"] == "alice")
            #expect(me.json?["acct"] == "alice")
            #expect(me.json?["url"]?.stringValue == "\(node.baseURL)/@alice")
            #expect(me.json?["source"]?["privacy"] == "public")
            #expect(me.json?["followers_count"]?.numberValue == 0)

            // By email too; wrong passwords are refused, then rate-limited.
            let byEmail = try await token(node, [
                "grant_type": "password", "client_id": app.id, "client_secret": app.secret, "username": "alice@oauth.example",
                "password": "correct horse battery",
            ])
            #expect(byEmail.status == 200)
            for attempt in 1...6 {
                let wrong = try await token(node, [
                    "grant_type": "password", "client_id": app.id, "client_secret": app.secret, "username": "alice", "password": "wrong \(attempt)",
                ])
                if attempt <= 5 {
                    #expect(wrong.status == 400)
                    #expect(wrong.json?["error"] == "invalid_grant")
                } else {
                    #expect(wrong.status == 429)
                    #expect(Int(wrong.headers["retry-after"] ?? "") ?? 0 > 0)
                }
            }
            let wrongSecret = try await token(node, [
                "grant_type": "password", "client_id": app.id, "client_secret": "nope", "username": "alice", "password": "x",
            ])
            #expect(wrongSecret.status == 401)
            #expect(wrongSecret.json?["error"] == "invalid_client")
            #expect(try await token(node, ["grant_type": "magic", "client_id": app.id]).json?["error"] == "unsupported_grant_type")
            let tooMuch = try await token(node, ["grant_type": "client_credentials", "client_id": app.id, "client_secret": app.secret, "scope": "admin:read"])
            #expect(tooMuch.json?["error"] == "invalid_scope")

            // client_credentials: the app itself, no account.
            let appToken = try #require(
                try await token(node, ["grant_type": "client_credentials", "client_id": app.id, "client_secret": app.secret, "scope": "read"])
                    .json?["access_token"]?.stringValue)
            let verifyApp = try await RawHTTP.send(.GET, node.baseURL + "/api/v1/apps/verify_credentials", headers: ["Authorization": "Bearer \(appToken)"])
            #expect(verifyApp.json?["name"] == "Test App")
            #expect(verifyApp.json?["client_secret"] == nil)
            #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/accounts/verify_credentials", headers: ["Authorization": "Bearer \(appToken)"]).status == 422)

            // Scopes are enforced.
            let writeOnly = try #require(
                try await token(node, [
                    "grant_type": "password", "client_id": app.id, "client_secret": app.secret, "username": "alice@oauth.example",
                    "password": "correct horse battery", "scope": "write:statuses",
                ]).json?["access_token"]?.stringValue)
            #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/accounts/verify_credentials", headers: ["Authorization": "Bearer \(writeOnly)"]).status == 403)
            for header in [[:], ["Authorization": "Bearer nonsense"], ["Authorization": "Basic abc"]] {
                let reply = try await RawHTTP.send(.GET, node.baseURL + "/api/v1/accounts/verify_credentials", headers: header)
                #expect(reply.status == 401)
                #expect(reply.json?["error"]?.stringValue != nil)
            }
        }
    }

    @Test func authorizationCodeWithPKCERefreshAndRevoke() async throws {
        try await withNode { node, alice in
            let app = try await register(node)
            let verifier = OAuthService.randomSecret() + OAuthService.randomSecret()
            let challenge = Data(SHA256.hash(data: Array(verifier.utf8))).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let query = form([
                "response_type": "code", "client_id": app.id, "redirect_uri": "https://app.example/callback", "scope": "read write",
                "state": "xyz", "code_challenge": challenge, "code_challenge_method": "S256",
            ])
            let page = try await RawHTTP.send(.GET, node.baseURL + "/oauth/authorize?" + query)
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.body.contains("Test App"))
            #expect(page.body.contains(#"name="password""#))
            #expect(page.body.contains(challenge))

            func submit(_ extra: [String: String]) async throws -> RawHTTP.Reply {
                var values: [String: String] = [
                    "response_type": "code", "client_id": app.id, "redirect_uri": "https://app.example/callback", "scope": "read write",
                    "state": "xyz", "code_challenge": challenge, "code_challenge_method": "S256", "decision": "allow",
                ]
                values.merge(extra) { $1 }
                return try await RawHTTP.send(
                    .POST, node.baseURL + "/oauth/authorize", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form(values))
            }
            let wrong = try await submit(["username": "alice", "password": "nope"])
            #expect(wrong.status == 401)
            #expect(wrong.body.contains("wrong"))
            let denied = try await submit(["decision": "deny", "username": "", "password": ""])
            #expect(denied.status == 302)
            #expect(denied.headers["location"]?.contains("error=access_denied") == true)
            let allowed = try await submit(["username": "alice", "password": "correct horse battery"])
            #expect(allowed.status == 302)
            let location = try #require(allowed.headers["location"])
            #expect(location.hasPrefix("https://app.example/callback?"))
            #expect(location.contains("state=xyz"))
            let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)

            let badVerifier = try await token(node, [
                "grant_type": "authorization_code", "client_id": app.id, "client_secret": app.secret, "code": code,
                "redirect_uri": "https://app.example/callback", "code_verifier": "wrong",
            ])
            #expect(badVerifier.json?["error"] == "invalid_grant")
            // The failed attempt used the code up, as a stolen code must not be retried.
            let again = try await submit(["username": "alice", "password": "correct horse battery"])
            let location2 = try #require(again.headers["location"])
            let code2 = try #require(URLComponents(string: location2)?.queryItems?.first { $0.name == "code" }?.value)
            let exchanged = try await token(node, [
                "grant_type": "authorization_code", "client_id": app.id, "code": code2, "redirect_uri": "https://app.example/callback",
                "code_verifier": verifier,
            ])
            #expect(exchanged.status == 200, "\(exchanged.body)")
            let access = try #require(exchanged.json?["access_token"]?.stringValue)
            let refresh = try #require(exchanged.json?["refresh_token"]?.stringValue)
            #expect(exchanged.json?["scope"] == "read write")
            let reuse = try await token(node, [
                "grant_type": "authorization_code", "client_id": app.id, "code": code2, "code_verifier": verifier,
            ])
            #expect(reuse.json?["error"] == "invalid_grant")
            let me = try await RawHTTP.send(.GET, node.baseURL + "/api/v1/accounts/verify_credentials", headers: ["Authorization": "Bearer \(access)"])
            #expect(me.json?["id"]?.stringValue == String(alice.id))

            // Refresh: a new token; the old refresh token is spent, the old access token revoked.
            let refreshed = try await token(node, ["grant_type": "refresh_token", "client_id": app.id, "client_secret": app.secret, "refresh_token": refresh])
            let newAccess = try #require(refreshed.json?["access_token"]?.stringValue)
            #expect(newAccess != access)
            #expect(try await token(node, ["grant_type": "refresh_token", "client_id": app.id, "client_secret": app.secret, "refresh_token": refresh]).json?["error"] == "invalid_grant")
            #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/accounts/verify_credentials", headers: ["Authorization": "Bearer \(access)"]).status == 401)

            // Revoke.
            let revoked = try await RawHTTP.send(
                .POST, node.baseURL + "/oauth/revoke", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: form(["client_id": app.id, "client_secret": app.secret, "token": newAccess]))
            #expect(revoked.status == 200)
            #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/accounts/verify_credentials", headers: ["Authorization": "Bearer \(newAccess)"]).status == 401)

            // Out of band: the code is shown on the page.
            let oob = try await register(node, redirect: OAuthService.outOfBand)
            let shown = try await RawHTTP.send(
                .POST, node.baseURL + "/oauth/authorize", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: form([
                    "response_type": "code", "client_id": oob.id, "redirect_uri": OAuthService.outOfBand, "username": "alice",
                    "password": "correct horse battery", "decision": "allow",
                ]))
            #expect(shown.status == 200)
            #expect(shown.body.contains(#"<code id="code">"#))
            // A redirect URI the app did not register is refused.
            let foreign = try await RawHTTP.send(.GET, node.baseURL + "/oauth/authorize?" + form(["response_type": "code", "client_id": app.id, "redirect_uri": "https://evil.example/"]))
            #expect(foreign.status == 400)
            #expect(!foreign.body.contains("<form"))
        }
    }

    @Test func instanceAndMetadata() async throws {
        try await withNode { node, _ in
            for path in ["/api/v1/instance", "/api/v1/instance/"] {
                let v1 = try await RawHTTP.send(.GET, node.baseURL + path)
                #expect(v1.status == 200)
                #expect(v1.json?["uri"]?.stringValue == node.domain)
                #expect(v1.json?["version"]?.stringValue?.hasPrefix("4.3.0") == true)
                #expect(v1.json?["configuration"]?["statuses"]?["max_characters"]?.numberValue == 5000)
                #expect(v1.json?["configuration"]?["statuses"]?["local_only"] == true)
                #expect(v1.json?["stats"]?["user_count"]?.numberValue == 1)
            }
            for path in ["/api/v2/instance", "/api/v2/instance/"] {
                let v2 = try await RawHTTP.send(.GET, node.baseURL + path)
                #expect(v2.status == 200)
                #expect(v2.json?["domain"]?.stringValue == node.domain)
                #expect(v2.json?["registrations"]?["enabled"] == false)
                #expect(v2.json?["configuration"]?["urls"]?["streaming"]?.stringValue?.hasPrefix("ws://") == true)
            }
            #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/custom_emojis").json == [])
            // A token is read once per request, and a bad one fails only the routes that need an account.
            let badToken = ["Authorization": "Bearer no-such-token"]
            #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/instance", headers: badToken).status == 200)
            let refused = try await RawHTTP.send(.GET, node.baseURL + "/api/v1/timelines/home", headers: badToken)
            #expect(refused.status == 401)
            #expect(refused.json?["error"]?.stringValue == "The access token is invalid")
            #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/timelines/home", headers: ["Authorization": "Basic a2l0aDp4"]).status == 401)
            let metadata = try #require(try await RawHTTP.send(.GET, node.baseURL + "/.well-known/oauth-authorization-server").json)
            #expect(metadata["token_endpoint"]?.stringValue == node.baseURL + "/oauth/token")
            #expect(metadata["code_challenge_methods_supported"] == ["S256"])
            #expect(metadata["scopes_supported"]?.listValue.contains("read:statuses") == true)
        }
    }

    @Test func scopesCoverWhatMastodonSays() throws {
        let read = Scopes(["read"])
        #expect(read.allows("read:statuses"))
        #expect(!read.allows("write:statuses"))
        #expect(Scopes(["follow"]).allows("write:follows"))
        #expect(!Scopes(["follow"]).allows("write:statuses"))
        #expect(Scopes(["admin:read"]).allows("admin:read:accounts"))
        #expect(!Scopes(["admin:read"]).allows("admin:write:accounts"))
        #expect(!Scopes(["read:statuses"]).allows("read"))
        #expect(throws: KithError.self) { try Scopes(parsing: "read everything") }
        #expect(try Scopes(parsing: "read+write  follow").values == ["read", "write", "follow"])
        #expect(Scopes(["read", "write"]).covers(try Scopes(parsing: "read:accounts write")))
    }
}
