import ActivityStreams
import Domain
import Foundation
import KithTestSupport
import Testing

/// Every client-API endpoint that acts for a user: 401 without a token or with a bad one, 403
/// with a token lacking the endpoint's scope, and past both with exactly that granular scope.
@Suite(.serialized, .timeLimit(.minutes(20))) struct ClientAPIAuthorisationTests {
    struct Endpoint: Sendable, CustomStringConvertible {
        var method: String
        var path: String
        var scope: String
        var body: String = "{}"
        /// The answer with the right scope (404: nothing of that kind exists for the caller).
        var expected: Int = 200
        var description: String { "\(method) \(path)" }
    }

    /// The endpoints, with `{account}`, `{status}`, `{own}` and `{notification}` filled in per run.
    /// Those that change state come last, so the reads see the data they were given.
    static let endpoints: [Endpoint] = [
        .init(method: "GET", path: "/api/v1/accounts/verify_credentials", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/accounts/lookup?acct=carol", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/accounts/search?q=car", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/accounts/relationships?id[]={account}", scope: "read:follows"),
        .init(method: "GET", path: "/api/v1/accounts/{account}", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/accounts/{account}/statuses", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/accounts/{account}/followers", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/accounts/{account}/following", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/statuses/{status}", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/statuses/{status}/context", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/statuses/{status}/favourited_by", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/statuses/{status}/reblogged_by", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/timelines/home", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/timelines/public", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/timelines/tag/kith", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/favourites", scope: "read:favourites"),
        .init(method: "GET", path: "/api/v1/bookmarks", scope: "read:bookmarks"),
        .init(method: "GET", path: "/api/v1/mutes", scope: "read:mutes"),
        .init(method: "GET", path: "/api/v1/blocks", scope: "read:blocks"),
        .init(method: "GET", path: "/api/v1/follow_requests", scope: "read:follows"),
        .init(method: "GET", path: "/api/v1/notifications", scope: "read:notifications"),
        .init(method: "GET", path: "/api/v1/notifications/{notification}", scope: "read:notifications"),
        .init(method: "GET", path: "/api/v1/markers", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v2/search?q=kith", scope: "read:search"),
        .init(method: "GET", path: "/users/alice/inbox", scope: "read:statuses"),
        .init(method: "GET", path: "/api/v1/kith/groups", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/kith/groups/{group}", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/kith/groups/{group}/members", scope: "read:accounts"),
        .init(method: "GET", path: "/api/v1/kith/groups/{group}/requests", scope: "read:follows"),
        .init(method: "POST", path: "/api/v1/kith/groups", scope: "write:accounts", body: #"{"name":"scoped_group"}"#),
        .init(method: "PATCH", path: "/api/v1/kith/groups/{group}", scope: "write:accounts", body: #"{"note":"scoped"}"#),
        .init(method: "POST", path: "/api/v1/kith/groups/{group}/join", scope: "write:follows"),
        .init(method: "POST", path: "/api/v1/kith/groups/{group}/invitations", scope: "write:follows", body: #"{"account_id":"{account}"}"#),
        .init(method: "POST", path: "/api/v1/markers", scope: "write:statuses", body: #"{"home":{"last_read_id":"1"}}"#),
        .init(method: "POST", path: "/api/v1/reports", scope: "write:reports", body: #"{"account_id":"{account}","comment":"checking"}"#),
        .init(method: "PATCH", path: "/api/v1/accounts/update_credentials", scope: "write:accounts", body: #"{"display_name":"Alice"}"#),
        .init(method: "POST", path: "/api/v1/statuses", scope: "write:statuses", body: #"{"status":"scoped"}"#),
        .init(method: "POST", path: "/users/alice/outbox", scope: "write:statuses", body: #"{"type":"Note","content":"c2s"}"#, expected: 201),
        .init(method: "POST", path: "/api/v1/statuses/{status}/favourite", scope: "write:favourites"),
        .init(method: "POST", path: "/api/v1/statuses/{status}/unfavourite", scope: "write:favourites"),
        .init(method: "POST", path: "/api/v1/statuses/{status}/reblog", scope: "write:statuses"),
        .init(method: "POST", path: "/api/v1/statuses/{status}/unreblog", scope: "write:statuses"),
        .init(method: "POST", path: "/api/v1/statuses/{status}/bookmark", scope: "write:bookmarks"),
        .init(method: "POST", path: "/api/v1/statuses/{status}/unbookmark", scope: "write:bookmarks"),
        .init(method: "POST", path: "/api/v1/statuses/{own}/pin", scope: "write:accounts"),
        .init(method: "POST", path: "/api/v1/statuses/{own}/unpin", scope: "write:accounts"),
        .init(method: "POST", path: "/api/v1/accounts/{account}/follow", scope: "write:follows"),
        .init(method: "POST", path: "/api/v1/accounts/{account}/unfollow", scope: "write:follows"),
        .init(method: "POST", path: "/api/v1/accounts/{account}/mute", scope: "write:mutes"),
        .init(method: "POST", path: "/api/v1/accounts/{account}/unmute", scope: "write:mutes"),
        .init(method: "POST", path: "/api/v1/accounts/{account}/block", scope: "write:blocks"),
        .init(method: "POST", path: "/api/v1/accounts/{account}/unblock", scope: "write:blocks"),
        .init(method: "POST", path: "/api/v1/follow_requests/{account}/authorize", scope: "write:follows", expected: 404),
        .init(method: "POST", path: "/api/v1/follow_requests/{account}/reject", scope: "write:follows", expected: 404),
        .init(method: "POST", path: "/api/v1/notifications/{notification}/dismiss", scope: "write:notifications"),
        .init(method: "POST", path: "/api/v1/notifications/clear", scope: "write:notifications"),
        .init(method: "PUT", path: "/api/v1/statuses/{own}", scope: "write:statuses", body: #"{"status":"edited"}"#),
        .init(method: "DELETE", path: "/api/v1/statuses/{own}", scope: "write:statuses"),
    ]

    func send(_ node: TestNode, _ endpoint: Endpoint, path: String, token: String?, account: Int64) async throws -> RawHTTP.Reply {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let body = endpoint.body.replacingOccurrences(of: "{account}", with: String(account))
        return try await RawHTTP.send(.init(rawValue: endpoint.method), node.baseURL + path, headers: headers, body: endpoint.method == "GET" ? nil : body)
    }

    @Test func everyEndpointChecksTheTokenAndItsScope() async throws {
        try await withTwoNodes { hq, _ in
            let alice = try await hq.createAccount("alice")
            let carol = try await hq.createAccount("carol")
            let tokens = ClientAPITests()
            let c = ClientAPITests.API(node: hq, token: try await tokens.token(hq, carol))
            let a = ClientAPITests.API(node: hq, token: try await tokens.token(hq, alice))
            // carol posts and favourites alice's post, so alice has a notification to read.
            let status = try #require(try await c.post("/api/v1/statuses", #"{"status":"about #kith"}"#).json?["id"]?.stringValue)
            let own = try #require(try await a.post("/api/v1/statuses", #"{"status":"mine"}"#).json?["id"]?.stringValue)
            _ = try await c.post("/api/v1/statuses/\(own)/favourite")
            let notification = try #require(try await a.get("/api/v1/notifications").json?.listValue.first?["id"]?.stringValue)
            let group = try #require(try await a.post("/api/v1/kith/groups", #"{"name":"sweep","privacy":"closed"}"#).json?["id"]?.stringValue)

            var scoped: [String: String] = [:]
            let readOnly = try await tokens.token(hq, alice, scope: "read")
            let writeOnly = try await tokens.token(hq, alice, scope: "write")
            for endpoint in Self.endpoints {
                let path = endpoint.path.replacingOccurrences(of: "{account}", with: String(carol.id))
                    .replacingOccurrences(of: "{status}", with: status).replacingOccurrences(of: "{own}", with: own)
                    .replacingOccurrences(of: "{notification}", with: notification).replacingOccurrences(of: "{group}", with: group)

                let anonymous = try await send(hq, endpoint, path: path, token: nil, account: carol.id)
                #expect(anonymous.status == 401, "\(endpoint) without a token: \(anonymous.status) \(anonymous.body)")
                #expect(anonymous.json?["error"]?.stringValue?.isEmpty == false, "\(endpoint): \(anonymous.body)")
                let bogus = try await send(hq, endpoint, path: path, token: "not-a-token", account: carol.id)
                #expect(bogus.status == 401, "\(endpoint) with a bad token: \(bogus.status)")

                let wrong = try await send(hq, endpoint, path: path, token: endpoint.scope.hasPrefix("read") ? writeOnly : readOnly, account: carol.id)
                #expect(wrong.status == 403, "\(endpoint) with the wrong scope: \(wrong.status) \(wrong.body)")
                #expect(wrong.json?["error"]?.stringValue?.contains("scope") == true, "\(endpoint): \(wrong.body)")

                if scoped[endpoint.scope] == nil { scoped[endpoint.scope] = try await tokens.token(hq, alice, scope: endpoint.scope) }
                let allowed = try await send(hq, endpoint, path: path, token: scoped[endpoint.scope], account: carol.id)
                #expect(allowed.status == endpoint.expected, "\(endpoint) with \(endpoint.scope): \(allowed.status) \(allowed.body)")
            }
            // The C2S inbox and outbox belong to their owner alone.
            let others = try await RawHTTP.send(.GET, hq.baseURL + "/users/alice/inbox", headers: ["Authorization": "Bearer \(c.token)"])
            #expect(others.status == 403)
        }
    }
}
