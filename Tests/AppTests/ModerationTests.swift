import ActivityStreams
import Domain
import Foundation
import KithTestSupport
import Testing

/// Reports (local, and across nodes as Flag), the moderation admin API, what suspending,
/// silencing and disabling do, roles, and the audit trail of it all; between two whole nodes.
@Suite(.serialized, .timeLimit(.minutes(20))) struct ModerationTests {
    typealias API = ClientAPITests.API

    func login(_ node: TestNode, _ account: Account) async throws -> Int {
        let app = try #require(
            try await RawHTTP.send(
                .POST, node.baseURL + "/api/v1/apps", headers: ["Content-Type": "application/json"],
                body: #"{"client_name":"t","redirect_uris":"urn:ietf:wg:oauth:2.0:oob","scopes":"read"}"#
            ).json)
        return try await RawHTTP.send(
            .POST, node.baseURL + "/oauth/token", headers: ["Content-Type": "application/json"],
            body: #"{"grant_type":"password","client_id":"\#(app["client_id"]!.stringValue!)","client_secret":"\#(app["client_secret"]!.stringValue!)","username":"\#(account.username)","password":"pass-\#(account.username)-word","scope":"read"}"#
        ).status
    }

    @Test func reportsAccountActionsRolesAndTheirAudit() async throws {
        try await withTwoNodes { hq, sub in
            let root = try await hq.createAccount("root", role: .admin)
            let mod = try await hq.createAccount("mod", role: .moderator)
            let alice = try await hq.createAccount("alice")
            let carol = try await hq.createAccount("carol")
            let bob = try await sub.createAccount("bob")
            let admin = API(node: hq, token: try await AdminAPITests().token(hq, root, scope: "read write admin:read admin:write"))
            let m = API(node: hq, token: try await AdminAPITests().token(hq, mod, scope: "read write admin:read admin:write"))
            let a = API(node: hq, token: try await ClientAPITests().token(hq, alice))
            let c = API(node: hq, token: try await AdminAPITests().token(hq, carol, scope: "read write follow admin:read admin:write"))
            let b = API(node: sub, token: try await ClientAPITests().token(sub, bob))

            let post = try await a.post("/api/v1/statuses", #"{"status":"Buy cheap watches"}"#)
            let postID = try #require(post.json?["id"]?.stringValue)
            let postURI = try #require(post.json?["uri"]?.stringValue)
            let other = try #require(try await c.post("/api/v1/statuses", #"{"status":"mine"}"#).json?["id"]?.stringValue)

            // carol reports alice's post; the checks a report goes through.
            let filed = try await c.post(
                "/api/v1/reports", #"{"account_id":"\#(alice.id)","status_ids":["\#(postID)"],"comment":"spam","category":"spam"}"#)
            #expect(filed.status == 200, "\(filed.body)")
            #expect(filed.json?["status_ids"] == [.string(postID)])
            #expect(filed.json?["target_account"]?["username"] == "alice")
            #expect(filed.json?["forwarded"] == false)
            let reportID = try #require(filed.json?["id"]?.stringValue)
            #expect(try await c.post("/api/v1/reports", #"{"account_id":"\#(alice.id)","status_ids":["\#(other)"]}"#).status == 422)
            #expect(try await c.post("/api/v1/reports", #"{"account_id":"\#(carol.id)"}"#).status == 422)
            #expect(try await c.post("/api/v1/reports", #"{"account_id":"999"}"#).status == 404)
            #expect(try await c.post("/api/v1/reports", #"{"account_id":"\#(alice.id)","category":"rude"}"#).status == 422)

            // Staff only: carol, even with admin scopes, cannot read reports.
            #expect(try await c.get("/api/v1/admin/reports").status == 403)
            #expect(try await a.get("/api/v1/admin/reports").status == 403)
            let open = try await m.get("/api/v1/admin/reports").json?.listValue ?? []
            #expect(open.map { $0["id"]?.stringValue } == [reportID])
            #expect(open.first?["account"]?["username"] == "carol")
            #expect(open.first?["target_account"]?["account"]?["acct"] == "alice")
            #expect(open.first?["statuses"]?.listValue.first?["id"]?.stringValue == postID)
            #expect(try await m.post("/api/v1/admin/reports/\(reportID)/assign_to_self").json?["assigned_account"]?["username"] == "mod")
            #expect(try await m.post("/api/v1/admin/reports/\(reportID)/unassign").json?["assigned_account"] == .null)

            // Silence: alice leaves the public timeline; lifted, she is back.
            #expect(try await m.post("/api/v1/admin/accounts/\(alice.id)/action", #"{"type":"silence"}"#).status == 200)
            #expect(try await m.get("/api/v1/admin/accounts/\(alice.id)").json?["silenced"] == true)
            #expect(try await c.get("/api/v1/timelines/public").json?.listValue.contains { $0["id"]?.stringValue == postID } == false)
            #expect(try await c.get("/api/v1/accounts/\(alice.id)").json?["limited"] == true)
            #expect(try await m.post("/api/v1/admin/accounts/\(alice.id)/unsilence").json?["silenced"] == false)
            #expect(try await c.get("/api/v1/timelines/public").json?.listValue.contains { $0["id"]?.stringValue == postID } == true)

            // Suspend, resolving the report: alice's token stops working, she cannot sign in, her post is hidden.
            try await hq.setPassword(alice, "pass-alice-word")
            #expect(try await login(hq, alice) == 200)
            let suspended = try await m.post("/api/v1/admin/accounts/\(alice.id)/action", #"{"type":"suspend","report_id":"\#(reportID)","text":"spam"}"#)
            #expect(suspended.status == 200, "\(suspended.body)")
            #expect(try await m.get("/api/v1/admin/reports/\(reportID)").json?["action_taken"] == true)
            #expect(try await m.get("/api/v1/admin/reports").json?.listValue.isEmpty == true)
            #expect(try await m.get("/api/v1/admin/reports?resolved=true").json?.listValue.count == 1)
            let refused = try await a.get("/api/v1/accounts/verify_credentials")
            #expect(refused.status == 403)
            #expect(refused.json?["error"]?.stringValue?.contains("disabled") == true)
            #expect(try await login(hq, alice) == 403)
            #expect(try await c.get("/api/v1/statuses/\(postID)").status == 404)
            #expect(try await c.get("/api/v1/timelines/public").json?.listValue.contains { $0["id"]?.stringValue == postID } == false)
            #expect(try await m.get("/api/v1/admin/accounts?suspended=true").json?.listValue.map { $0["username"]?.stringValue } == ["alice"])
            #expect(try await m.post("/api/v1/admin/accounts/\(alice.id)/unsuspend").json?["suspended"] == false)
            #expect(try await a.get("/api/v1/accounts/verify_credentials").status == 200)
            #expect(try await m.post("/api/v1/admin/reports/\(reportID)/reopen").json?["action_taken"] == false)

            // Disable: the login alone stops.
            _ = try await m.post("/api/v1/admin/accounts/\(carol.id)/action", #"{"type":"disable"}"#)
            #expect(try await c.get("/api/v1/timelines/home").status == 403)
            #expect(try await c.get("/api/v1/statuses/\(other)").status == 403)
            #expect(try await a.get("/api/v1/statuses/\(other)").status == 200)  // her posts stay
            _ = try await m.post("/api/v1/admin/accounts/\(carol.id)/enable")
            #expect(try await c.get("/api/v1/timelines/home").status == 200)

            // Limits: not on oneself, not a moderator on an admin; bad action types refused.
            #expect(try await m.post("/api/v1/admin/accounts/\(mod.id)/action", #"{"type":"suspend"}"#).status == 403)
            #expect(try await m.post("/api/v1/admin/accounts/\(root.id)/action", #"{"type":"suspend"}"#).status == 403)
            #expect(try await m.post("/api/v1/admin/accounts/\(alice.id)/action", #"{"type":"banish"}"#).status == 422)

            // Roles: admins only; only the owner makes admins.
            #expect(try await m.post("/api/v1/kith/admin/accounts/\(carol.id)/role", #"{"role":"moderator"}"#).status == 403)
            #expect(try await admin.post("/api/v1/kith/admin/accounts/\(carol.id)/role", #"{"role":"moderator"}"#).json?["role"]?["name"] == "Moderator")
            #expect(try await admin.post("/api/v1/kith/admin/accounts/\(carol.id)/role", #"{"role":"admin"}"#).status == 403)
            #expect(try await admin.post("/api/v1/kith/admin/accounts/\(carol.id)/role", #"{"role":"emperor"}"#).status == 422)
            #expect(try await c.get("/api/v1/admin/reports").status == 200)  // now staff

            // A report from sub about alice's post, sent on: a Flag from sub's node becomes a report on hq.
            let aliceOnSub = try await sub.runtime.resolver.resolve(hq.acct("alice"))
            let postOnSub = try #require(try await sub.runtime.posts.resolvePost(url: postURI))
            let forwarded = try await b.post(
                "/api/v1/reports",
                #"{"account_id":"\#(aliceOnSub.id)","status_ids":["\#(postOnSub.id)"],"comment":"Spam from HQ","forward":true}"#)
            #expect(forwarded.json?["forwarded"] == true, "\(forwarded.body)")
            try await eventually("the Flag became a report on hq") { try await hq.count("SELECT count(*) FROM reports") == 2 }
            let flagged = try #require(try await m.get("/api/v1/admin/reports").json?.listValue.first { $0["id"]?.stringValue != reportID })
            #expect(flagged["comment"] == "Spam from HQ")
            #expect(flagged["account"]?["domain"]?.stringValue == sub.domain)  // the node's actor, not bob
            #expect(flagged["account"]?["username"]?.stringValue != "bob")
            #expect(flagged["target_account"]?["username"] == "alice")
            #expect(flagged["statuses"]?.listValue.first?["id"]?.stringValue == postID)
            // With reject_reports on sub's domain, its Flags are ignored.
            _ = try await admin.post("/api/v1/admin/domain_blocks", #"{"domain":"\#(sub.domain)","severity":"noop","reject_reports":true}"#)
            _ = try await b.post("/api/v1/reports", #"{"account_id":"\#(aliceOnSub.id)","comment":"again","forward":true}"#)
            try await eventually("sub's second Flag delivered") {
                try await sub.count("SELECT count(*) FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE a.type = 'Flag' AND d.state = 'delivered'") == 2
            }
            try await eventually("hq processed it") { try await hq.count("SELECT count(*) FROM inbox_items WHERE activity_type = 'Flag' AND state = 'pending'") == 0 }
            #expect(try await hq.count("SELECT count(*) FROM reports") == 2)

            // A Flag whose id is not on its sender's node is ignored (no node claims another's report).
            let subActor = try await sub.runtime.resolver.applicationSigningKey()
            let shared = hq.baseURL + "/inbox"
            let stolen = #"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(hq.baseURL)/flags/1","type":"Flag","actor":"\#(sub.baseURL)/actor","object":["\#(alice.uri)"],"content":"borrowed id"}"#
            #expect(
                try await RawHTTP.post(
                    shared, body: Array(stolen.utf8), headers: try RawHTTP.signedHeaders(url: shared, body: Array(stolen.utf8), key: subActor)
                ).status == 202)
            // Nor is a boost from elsewhere of a post of ours that only its audience may see.
            let quiet = try #require(try await a.post("/api/v1/statuses", #"{"status":"followers only","visibility":"private"}"#).json?["uri"]?.stringValue)
            let boost = #"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(bob.uri)/statuses/9/activity","type":"Announce","actor":"\#(bob.uri)","to":["https://www.w3.org/ns/activitystreams#Public"],"object":"\#(quiet)"}"#
            #expect(
                try await RawHTTP.post(
                    shared, body: Array(boost.utf8),
                    headers: try RawHTTP.signedHeaders(url: shared, body: Array(boost.utf8), key: try await sub.signingKey(bob))
                ).status == 202)
            try await eventually("both processed") { try await hq.count("SELECT count(*) FROM inbox_items WHERE state = 'pending'") == 0 }
            #expect(try await hq.count("SELECT count(*) FROM reports") == 2)
            #expect(try await hq.store.statuses.status(uri: "\(bob.uri)/statuses/9/activity") == nil)

            // A moderator removes alice's post: gone here, and the Delete reaches sub (bob follows alice).
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            try await eventually("bob follows alice") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }
            #expect(try await m.delete("/api/v1/kith/admin/statuses/\(postID)").status == 200)
            #expect(try await c.get("/api/v1/statuses/\(postID)").status == 404)
            try await eventually("the removal on sub") { try await sub.store.statuses.status(uri: postURI) == nil }
            #expect(try await m.delete("/api/v1/kith/admin/statuses/\(postID)").status == 404)

            // The audit trail, newest first.
            let actions = (try await admin.get("/api/v1/kith/admin/audit?limit=100").json?.listValue ?? []).compactMap { $0["action"]?.stringValue }
            #expect(
                actions == [
                    "status.remove", "domain_block.create", "account.change_role", "account.enable", "account.disable", "report.reopen",
                    "account.unsuspend", "account.suspend", "account.unsilence", "account.silence", "report.unassign", "report.assign",
                    "domain_allow.create",
                ])
            let suspension = try #require(try await admin.get("/api/v1/kith/admin/audit?action=account.suspend").json?.listValue.first)
            #expect(suspension["actor"]?["label"] == "mod")
            #expect(suspension["before"]?["suspended"] == "false")
            #expect(suspension["after"]?["suspended"] == "true")
            #expect(suspension["after"]?["report_id"]?.stringValue == reportID)
        }
    }
}
