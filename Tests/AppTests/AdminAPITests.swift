import ActivityStreams
import Domain
import Foundation
import KithTestSupport
import PostgresNIO
import Testing

/// The admin API for federation policy and the audit log, between two whole nodes: allows,
/// blocks that silence or suspend, who may do what, and the append-only record of it all.
@Suite(.serialized, .timeLimit(.minutes(20))) struct AdminAPITests {
    typealias API = ClientAPITests.API

    /// A token for `account` from an app that may ask for the admin scopes.
    func token(_ node: TestNode, _ account: Account, scope: String) async throws -> String {
        try await node.setPassword(account, "pass-\(account.username)-word")
        let app = try #require(
            try await RawHTTP.send(
                .POST, node.baseURL + "/api/v1/apps", headers: ["Content-Type": "application/json"],
                body: #"{"client_name":"admin","redirect_uris":"urn:ietf:wg:oauth:2.0:oob","scopes":"read write follow admin:read admin:write"}"#
            ).json)
        let reply = try await RawHTTP.send(
            .POST, node.baseURL + "/oauth/token", headers: ["Content-Type": "application/json"],
            body: #"{"grant_type":"password","client_id":"\#(app["client_id"]!.stringValue!)","client_secret":"\#(app["client_secret"]!.stringValue!)","username":"\#(account.username)","password":"pass-\#(account.username)-word","scope":"\#(scope)"}"#)
        return try #require(reply.json?["access_token"]?.stringValue, "\(reply.body)")
    }

    func put(_ api: API, _ path: String, _ json: String) async throws -> RawHTTP.Reply {
        try await RawHTTP.send(
            .PUT, api.node.baseURL + path, headers: ["Authorization": "Bearer \(api.token)", "Content-Type": "application/json"], body: json)
    }

    @Test func domainPolicyThroughTheAdminAPIIsEnforcedAndAudited() async throws {
        try await withTwoNodes { hq, sub in
            let root = try await hq.createAccount("root", role: .admin)
            let mod = try await hq.createAccount("mod", role: .moderator)
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let admin = API(node: hq, token: try await token(hq, root, scope: "read write admin:read admin:write"))
            let reader = API(node: hq, token: try await token(hq, root, scope: "admin:read"))
            let moderator = API(node: hq, token: try await token(hq, mod, scope: "admin:read admin:write"))
            let user = API(node: hq, token: try await token(hq, alice, scope: "read write follow admin:read admin:write"))
            let a = API(node: hq, token: try await ClientAPITests().token(hq, alice))
            let b = API(node: sub, token: try await ClientAPITests().token(sub, bob))

            // Who may: admins only; the right scope too; without a token, nobody.
            for path in ["/api/v1/admin/domain_allows", "/api/v1/admin/domain_blocks", "/api/v1/kith/admin/audit"] {
                #expect(try await admin.get(path).status == 200, "\(path)")
                #expect(try await user.get(path).status == 403, "\(path)")
                #expect(try await moderator.get(path).status == 403, "\(path)")
                #expect(try await RawHTTP.send(.GET, hq.baseURL + path).status == 401, "\(path)")
            }
            #expect(try await reader.post("/api/v1/admin/domain_allows", #"{"domain":"x.example"}"#).status == 403)
            #expect(try await a.get("/api/v1/admin/domain_blocks").status == 403)  // a token without admin scopes

            // Allows: listed (the peer, allowed at start), added once, removed by id.
            let allows = try await admin.get("/api/v1/admin/domain_allows").json?.listValue ?? []
            #expect(allows.map { $0["domain"]?.stringValue } == [sub.domain])
            let added = try await admin.post("/api/v1/admin/domain_allows", #"{"domain":"Partner.Example"}"#)
            #expect(added.status == 200, "\(added.body)")
            #expect(added.json?["domain"] == "partner.example")
            let again = try await admin.post("/api/v1/admin/domain_allows", #"{"domain":"partner.example"}"#)
            #expect(again.json?["id"] == added.json?["id"])
            #expect(try await admin.post("/api/v1/admin/domain_allows", #"{"domain":"https://x/y"}"#).status == 422)
            #expect(try await admin.post("/api/v1/admin/domain_allows", "{}").status == 422)
            let allowID = try #require(added.json?["id"]?.stringValue)
            #expect(try await admin.get("/api/v1/admin/domain_allows/\(allowID)").json?["domain"] == "partner.example")
            #expect(try await admin.delete("/api/v1/admin/domain_allows/\(allowID)").status == 200)
            #expect(try await admin.delete("/api/v1/admin/domain_allows/\(allowID)").status == 404)

            // bob follows alice; both post.
            let aliceOnSub = try await sub.runtime.resolver.resolve(hq.acct("alice"))
            _ = try await b.post("/api/v1/accounts/\(aliceOnSub.id)/follow")
            try await eventually("bob follows alice") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }
            let bobOnHQ = try #require(try await hq.store.accounts.account(uri: bob.uri))
            _ = try await a.post("/api/v1/accounts/\(bobOnHQ.id)/follow")
            try await eventually("alice follows bob") { try await sub.store.graph.followCounts(of: bob.id).followers == 1 }
            let bobsPost = try #require(try await b.post("/api/v1/statuses", #"{"status":"From the subsidiary"}"#).json?["uri"]?.stringValue)
            try await eventually("bob's post on hq") { try await hq.store.statuses.status(uri: bobsPost) != nil }
            #expect(try await a.get("/api/v1/timelines/public").json?.listValue.contains { $0["uri"]?.stringValue == bobsPost } == true)

            // Silence: bob's posts leave hq's public timeline; alice, who follows him, still sees them.
            let silenced = try await admin.post(
                "/api/v1/admin/domain_blocks", #"{"domain":"\#(sub.domain)","private_comment":"too loud","public_comment":"noisy"}"#)
            #expect(silenced.status == 200, "\(silenced.body)")
            #expect(silenced.json?["severity"] == "silence")  // Mastodon's default
            #expect(silenced.json?["digest"]?.stringValue?.count == 64)
            let blockID = try #require(silenced.json?["id"]?.stringValue)
            #expect(try await a.get("/api/v1/timelines/public").json?.listValue.contains { $0["uri"]?.stringValue == bobsPost } == false)
            #expect(try await a.get("/api/v1/timelines/home").json?.listValue.contains { $0["uri"]?.stringValue == bobsPost } == true)
            let duplicate = try await admin.post("/api/v1/admin/domain_blocks", #"{"domain":"\#(sub.domain)"}"#)
            #expect(duplicate.status == 422)
            #expect(duplicate.json?["existing_domain_block"]?["id"]?.stringValue == blockID)
            #expect(try await admin.post("/api/v1/admin/domain_blocks", #"{"domain":"y.example","severity":"harsh"}"#).status == 422)

            // Suspend: what hq stored of sub goes (bob, his post, the follows), and nothing more crosses.
            let suspended = try await put(admin, "/api/v1/admin/domain_blocks/\(blockID)", #"{"severity":"suspend"}"#)
            #expect(suspended.json?["severity"] == "suspend")
            #expect(suspended.json?["private_comment"] == "too loud")  // kept from before
            #expect(try await hq.store.accounts.account(uri: bob.uri) == nil)
            #expect(try await hq.store.statuses.status(uri: bobsPost) == nil)
            #expect(try await hq.store.graph.followCounts(of: alice.id) == (followers: 0, following: 0))
            _ = try await a.post("/api/v1/statuses", #"{"status":"after the suspension"}"#)
            let deliveredBefore = try await hq.count("SELECT count(*) FROM deliveries")
            #expect(try await hq.count("SELECT count(*) FROM deliveries WHERE state = 'pending'") == 0)
            let refused = try await b.post("/api/v1/statuses", #"{"status":"anyone there?"}"#)
            #expect(refused.status == 200)
            try await eventually("sub's delivery refused with 403 and dead") {
                try await sub.count("SELECT count(*) FROM deliveries WHERE state = 'dead' AND last_status = 403") >= 1
            }
            #expect(try await hq.count("SELECT count(*) FROM inbox_items WHERE activity_type = 'Create'") == 1)  // only the one before
            #expect(try await hq.count("SELECT count(*) FROM deliveries") == deliveredBefore)

            // Lifting the block.
            #expect(try await admin.delete("/api/v1/admin/domain_blocks/\(blockID)").status == 200)
            #expect(try await admin.get("/api/v1/admin/domain_blocks").json?.listValue.isEmpty == true)

            // The audit log: each change, by whom, from where, with before and after.
            let audit = try await admin.get("/api/v1/kith/admin/audit").json?.listValue ?? []
            #expect(
                audit.map { $0["action"]?.stringValue }
                    == [
                        "domain_block.destroy", "domain_block.update", "domain_block.create", "domain_allow.destroy", "domain_allow.create",
                        "domain_allow.create",
                    ])
            #expect(audit.prefix(5).allSatisfy { $0["actor"]?["label"] == "root" && $0["ip"] == "127.0.0.1" })
            #expect(audit.last?["actor"]?["label"] == "cli:test")
            let update = try #require(audit.first { $0["action"] == "domain_block.update" })
            #expect(update["before"]?["severity"] == "silence")
            #expect(update["after"]?["severity"] == "suspend")
            #expect(update["target_type"] == "domain_block")
            let filtered = try await admin.get("/api/v1/kith/admin/audit?action=domain_allow&limit=1")
            #expect(filtered.json?.listValue.map { $0["action"]?.stringValue } == ["domain_allow.destroy"])
            #expect(filtered.headers["link"]?.contains("rel=\"next\"") == true)
            #expect(try await admin.get("/api/v1/kith/admin/audit?account_id=\(mod.id)").json?.listValue.isEmpty == true)
            #expect(try await admin.get("/api/v1/kith/admin/audit?since=yesterday").status == 400)

            // Append-only, whoever asks: the database refuses to change or remove an entry.
            for statement in ["UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                let error = await #expect(throws: (any Error).self, "\(statement)") { try await hq.execute(PostgresQuery(unsafeSQL: statement)) }
                #expect(String(reflecting: error).contains("append-only"), "\(statement): \(String(reflecting: error))")
            }
            #expect(try await hq.count("SELECT count(*) FROM audit_log") == 6)
        }
    }
}
