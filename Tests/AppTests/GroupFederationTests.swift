import ActivityStreams
import Domain
import Foundation
import HTTPSignatures
import KithTestSupport
import Testing

/// The enterprise federation model with three whole nodes: HQ and a subsidiary that allow each
/// other, and an outsider neither allows. Secret and closed groups span HQ and the subsidiary;
/// the outsider gets nothing.
@Suite(.serialized, .timeLimit(.minutes(20))) struct GroupFederationTests {
    typealias API = ClientAPITests.API

    func token(_ node: TestNode, _ account: Account) async throws -> String {
        try await ClientAPITests().token(node, account)
    }

    func home(_ api: API) async throws -> [JSONValue] {
        try await api.get("/api/v1/timelines/home").json?.listValue ?? []
    }

    @Test func groupsAcrossNodesAndAnOutsiderKeptOut() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let amy = try await hq.createAccount("amy")
            let bob = try await sub.createAccount("bob")
            let carol = try await sub.createAccount("carol")
            let a = API(node: hq, token: try await token(hq, alice))
            let m = API(node: hq, token: try await token(hq, amy))
            let b = API(node: sub, token: try await token(sub, bob))
            let c = API(node: sub, token: try await token(sub, carol))

            // alice creates a secret group: nobody else on either node can find it.
            let created = try await a.post("/api/v1/kith/groups", #"{"name":"core","display_name":"Core team","privacy":"secret"}"#)
            #expect(created.status == 200, "\(created.body)")
            #expect(created.json?["role"] == "owner")
            let groupID = try #require(created.json?["id"]?.stringValue)
            let groupURI = try #require(created.json?["uri"]?.stringValue)
            // Group names share the namespace of usernames, regardless of case.
            #expect(try await a.post("/api/v1/kith/groups", #"{"name":"Core"}"#).status == 409)
            #expect(try await a.post("/api/v1/kith/groups", #"{"name":"amy"}"#).status == 409)
            #expect(try await a.post("/api/v1/kith/groups", #"{"name":"no spaces"}"#).status == 422)
            #expect(try await a.get("/api/v1/accounts/\(groupID)").json?["group"] == true)
            #expect(try await m.get("/api/v1/kith/groups").json?.listValue.isEmpty == true)
            #expect(try await m.get("/api/v1/kith/groups/\(groupID)").status == 404)
            #expect(try await m.get("/api/v1/accounts/\(groupID)").status == 404)
            #expect(try await m.get("/api/v2/search?q=core").json?["accounts"]?.listValue.isEmpty == true)
            #expect(try await RawHTTP.get(hq.baseURL + "/.well-known/webfinger?resource=acct:core@\(hq.domain)", accept: "application/jrd+json").status == 404)
            #expect(try await c.get("/api/v2/search?q=core@\(hq.domain)&resolve=true").json?["accounts"]?.listValue.isEmpty == true)
            #expect(try await m.post("/api/v1/kith/groups/\(groupID)/join").status == 404)

            // bob is invited; he finds the group by its address and joins from his node.
            let invited = try await a.post("/api/v1/kith/groups/\(groupID)/invitations", #"{"account":"bob@\#(sub.domain)"}"#)
            #expect(invited.status == 200, "\(invited.body)")
            let encoded = groupURI.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let found = try await b.get("/api/v2/search?q=\(encoded)&resolve=true").json?["accounts"]?.listValue.first
            #expect(found?["group"] == true)
            let groupOnSub = try #require(found?["id"]?.stringValue)
            _ = try await b.post("/api/v1/accounts/\(groupOnSub)/follow")
            try await eventually("bob is a member") {
                try await b.get("/api/v1/accounts/relationships?id[]=\(groupOnSub)").json?.listValue.first?["following"] == true
            }
            // carol, not invited, asks too: the group refuses.
            _ = try await c.post("/api/v1/accounts/\(groupOnSub)/follow")
            try await eventually("carol refused") {
                try await c.get("/api/v1/accounts/relationships?id[]=\(groupOnSub)").json?.listValue.first?["requested"] == false
            }
            #expect(try await c.get("/api/v2/search?q=core").json?["accounts"]?.listValue.isEmpty == true)
            let members = try await a.get("/api/v1/kith/groups/\(groupID)/members").json?.listValue ?? []
            #expect(Set(members.compactMap { $0["account"]?["acct"]?.stringValue }) == ["alice", sub.acct("bob")])

            // alice posts to the group: bob reads it on his node, amy and carol do not.
            let kickoff = try #require(
                try await a.post("/api/v1/statuses", #"{"status":"@core Kickoff at 10","visibility":"direct"}"#).json?["uri"]?.stringValue)
            try await eventually("alice's post in bob's home") { try await home(b).contains { $0["reblog"]?["uri"]?.stringValue == kickoff } }
            #expect(try await home(b).first { $0["reblog"]?["uri"]?.stringValue == kickoff }?["account"]?["group"] == true)
            // bob posts to it from sub: alice reads it on hq.
            let hello = try #require(
                try await b.post("/api/v1/statuses", #"{"status":"@core@\#(hq.domain) Hello from the subsidiary","visibility":"direct"}"#).json?["uri"]?
                    .stringValue)
            try await eventually("bob's post in alice's home") { try await home(a).contains { $0["reblog"]?["uri"]?.stringValue == hello } }
            try await eventually("the group's boost of bob's post on sub") {
                try await sub.count("SELECT count(*) FROM statuses s JOIN statuses o ON o.id = s.reblog_of_id WHERE o.uri = \(hello)") == 1
            }
            for api in [m, c] {
                #expect(try await home(api).contains { [kickoff, hello].contains($0["reblog"]?["uri"]?.stringValue ?? $0["uri"]?.stringValue ?? "") } == false)
            }
            // A direct message to amy that names the group is not for the group.
            _ = try await a.post("/api/v1/statuses", #"{"status":"@amy ask @core about it","visibility":"direct"}"#)
            #expect(try await hq.count("SELECT count(*) FROM statuses WHERE account_id = \(Int64(groupID)!)") == 2)
            // Nobody learns of the secret group from alice's follows.
            #expect(try await m.get("/api/v1/accounts/\(alice.id)/following").json?.listValue.contains { $0["id"]?.stringValue == groupID } == false)
            #expect(try await m.get("/api/v1/accounts/\(groupID)/followers").status == 404)

            // carol (a non-member) posts to the group with a signed Create: stored, never shared.
            let carolKey = try await sub.signingKey(carol)
            let note = #"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(carol.uri)/statuses/1","type":"Create","actor":"\#(carol.uri)","to":["\#(groupURI)"],"object":{"id":"\#(carol.uri)/statuses/1","type":"Note","attributedTo":"\#(carol.uri)","to":["\#(groupURI)"],"content":"<p>let me in</p>"}}"#
            let inbox = groupURI + "/inbox"
            let posted = try await RawHTTP.post(inbox, body: Array(note.utf8), headers: try RawHTTP.signedHeaders(url: inbox, body: Array(note.utf8), key: carolKey))
            #expect(posted.status == 202)
            try await eventually("carol's post processed") { try await hq.count("SELECT count(*) FROM inbox_items WHERE state = 'pending'") == 0 }
            #expect(try await hq.count("SELECT count(*) FROM statuses WHERE account_id = \(Int64(groupID)!)") == 2)  // the two members' posts only

            // The group's collections are for members; others see its key only.
            let subKey = try await sub.signingKey(bob)
            #expect(try await RawHTTP.get(groupURI + "/outbox", as: subKey).status == 200)  // bob is a member
            #expect(try await RawHTTP.get(groupURI + "/followers", as: carolKey).status == 404)
            let minimal = try JSONValue.parse(Array(try await RawHTTP.get(groupURI, as: carolKey).body.utf8))
            #expect(minimal["type"] == "Group")
            #expect(minimal["name"] == nil)
            // sub's own actor (which signs its node's fetches) reads it in full: bob is a member there.
            let subNodeKey = try await sub.runtime.resolver.applicationSigningKey()
            let full = try JSONValue.parse(Array(try await RawHTTP.get(groupURI, as: subNodeKey).body.utf8))
            #expect(full["name"] == "Core team")
            #expect(try await RawHTTP.get(groupURI + "/outbox", as: subNodeKey).status == 200)

            // A group on another node cannot pass off posts of this node's people as theirs.
            let fakeGroup = try #require(
                try await c.post("/api/v1/kith/groups", #"{"name":"fake"}"#).json?["uri"]?.stringValue)
            let fakeAccount = try #require(try await sub.store.accounts.account(uri: fakeGroup))
            let forgedID = "\(alice.uri)/statuses/424242"
            let announce = #"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(fakeGroup)/statuses/1/activity","type":"Announce","actor":"\#(fakeGroup)","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"\#(forgedID)","type":"Note","attributedTo":"\#(alice.uri)","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p>forged</p>"}}"#
            let shared = hq.baseURL + "/inbox"
            let forged = try await RawHTTP.post(
                shared, body: Array(announce.utf8),
                headers: try RawHTTP.signedHeaders(url: shared, body: Array(announce.utf8), key: try await sub.signingKey(fakeAccount)))
            #expect(forged.status == 202)
            try await eventually("the forged Announce processed") { try await hq.count("SELECT count(*) FROM inbox_items WHERE state = 'pending'") == 0 }
            #expect(try await hq.store.statuses.status(uri: forgedID) == nil)

            // Editing and pinning are for moderators; the pin shows in the featured collection members fetch.
            let renamed = try await RawHTTP.send(
                .PATCH, hq.baseURL + "/api/v1/kith/groups/\(groupID)", headers: ["Authorization": "Bearer \(a.token)", "Content-Type": "application/json"],
                body: #"{"display_name":"Core team (2027)"}"#)
            #expect(renamed.json?["display_name"] == "Core team (2027)")
            // The secret group's Update went to its members only, and is served to them alone.
            let update = try #require(
                try await hq.strings("SELECT uri FROM activities WHERE type = 'Update' AND account_id = \(Int64(groupID)!)").first)
            try await eventually("the Update served to sub's node") { try await RawHTTP.get(update, as: subNodeKey).status == 200 }
            #expect(try await RawHTTP.get(update, as: carolKey).status == 404)
            let kickoffOnHQ = try #require(try await hq.store.statuses.status(uri: kickoff))
            #expect(try await a.post("/api/v1/kith/groups/\(groupID)/statuses/\(kickoffOnHQ.id)/pin").status == 200)
            let featured = try JSONValue.parse(Array(try await RawHTTP.get(groupURI + "/collections/featured", as: subKey).body.utf8))
            #expect(featured["orderedItems"]?.listValue.map { $0["id"]?.stringValue } == [kickoff])
            #expect(try await RawHTTP.get(groupURI + "/collections/featured", as: carolKey).status == 404)

            // Moderation: alice takes bob's post out of the group, then removes bob; sub follows.
            let helloOnHQ = try #require(try await hq.store.statuses.status(uri: hello))
            #expect(try await a.delete("/api/v1/kith/groups/\(groupID)/statuses/\(helloOnHQ.id)").status == 200)
            try await eventually("the boost undone on sub") {
                try await sub.count("SELECT count(*) FROM statuses s JOIN statuses o ON o.id = s.reblog_of_id WHERE o.uri = \(hello)") == 0
            }
            #expect(try await m.delete("/api/v1/kith/groups/\(groupID)/statuses/\(helloOnHQ.id)").status == 404)  // not visible to amy
            let bobOnHQ = try #require(try await hq.store.accounts.account(uri: bob.uri))
            #expect(try await a.delete("/api/v1/kith/groups/\(groupID)/members/\(bobOnHQ.id)").status == 200)
            try await eventually("bob no longer a member on sub") {
                try await b.get("/api/v1/accounts/relationships?id[]=\(groupOnSub)").json?.listValue.first?["following"] == false
            }

            // A closed group: listed and found, joined on approval.
            let closed = try await a.post("/api/v1/kith/groups", #"{"name":"ops","privacy":"closed"}"#)
            let closedID = try #require(closed.json?["id"]?.stringValue)
            #expect(try await m.get("/api/v1/kith/groups").json?.listValue.map { $0["name"]?.stringValue } == ["ops"])
            let opsOnSub = try #require(
                try await b.get("/api/v2/search?q=ops@\(hq.domain)&resolve=true").json?["accounts"]?.listValue.first?["id"]?.stringValue)
            #expect(try await b.post("/api/v1/accounts/\(opsOnSub)/follow").json?["requested"] == true)
            try await eventually("the request on hq") { try await a.get("/api/v1/kith/groups/\(closedID)/requests").json?.listValue.count == 1 }
            #expect(try await m.get("/api/v1/kith/groups/\(closedID)/requests").status == 403)
            #expect(try await m.get("/api/v1/accounts/\(closedID)/followers").status == 403)
            #expect(try await RawHTTP.get(hq.baseURL + "/users/ops/followers?page=true", as: carolKey).status == 404)
            #expect(try await a.post("/api/v1/kith/groups/\(closedID)/requests/\(bobOnHQ.id)/authorize").status == 200)
            try await eventually("bob joined ops") {
                try await b.get("/api/v1/accounts/relationships?id[]=\(opsOnSub)").json?.listValue.first?["following"] == true
            }
            #expect(try await m.post("/api/v1/kith/groups/\(closedID)/join").json?["requested"] == true)

            // Roles: the owner appoints moderators; amy's request is approved.
            #expect(try await a.post("/api/v1/kith/groups/\(closedID)/members/\(bobOnHQ.id)/role", #"{"role":"moderator"}"#).status == 200)
            #expect(try await a.post("/api/v1/kith/groups/\(closedID)/requests/\(amy.id)/authorize").status == 200)
            #expect(try await m.get("/api/v1/kith/groups/\(closedID)").json?["role"] == "member")
            // A moderator who leaves (Undo(Follow) from sub) is no longer one.
            _ = try await b.post("/api/v1/accounts/\(opsOnSub)/unfollow")
            try await eventually("bob left ops") { try await hq.store.groups.role(groupID: Int64(closedID)!, accountID: bobOnHQ.id) == nil }

            // Every group moderation is in hq's audit log.
            let audit = try await hq.count("SELECT count(*) FROM audit_log WHERE action LIKE 'group.%'")
            #expect(audit == 9)  // create ×2, update, invite, remove_post, remove_member, approve_member ×2, set_role
            let kinds = Set(try await hq.strings("SELECT DISTINCT action FROM audit_log WHERE action LIKE 'group.%'"))
            #expect(
                kinds == [
                    "group.create", "group.update", "group.invite", "group.remove_post", "group.remove_member", "group.approve_member",
                    "group.set_role",
                ])

            // The outsider: not allowed by hq. Its signed POSTs and GETs get 403 and nothing is
            // stored; unsigned GETs get 401.
            let outsider = try await TestNode(name: "outsider")
            do {
                try await outsider.start()
                try await outsider.allow(hq)
                let eve = try await outsider.createAccount("eve")
                let eveKey = try await outsider.signingKey(eve)
                let follow = #"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(eve.uri)#follows/1","type":"Follow","actor":"\#(eve.uri)","object":"\#(alice.uri)"}"#
                let aliceInbox = alice.uri + "/inbox"
                let refused = try await RawHTTP.post(
                    aliceInbox, body: Array(follow.utf8), headers: try RawHTTP.signedHeaders(url: aliceInbox, body: Array(follow.utf8), key: eveKey))
                #expect(refused.status == 403)
                let storedBefore = try await hq.count("SELECT count(*) FROM inbox_items")
                for url in [kickoff, alice.uri + "/outbox", alice.uri + "/followers", hq.baseURL + "/users/ops/collections/featured"] {
                    #expect(try await RawHTTP.get(url, as: eveKey).status == 403, "\(url)")
                    #expect(try await RawHTTP.get(url).status == 401, "\(url)")
                }
                #expect(try await hq.count("SELECT count(*) FROM inbox_items") == storedBefore)
                #expect(try await hq.store.accounts.account(uri: eve.uri) == nil)
            } catch {
                await outsider.remove()
                throw error
            }
            await outsider.remove()
        }
    }
}
