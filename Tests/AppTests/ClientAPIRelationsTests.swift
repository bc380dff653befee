import ActivityStreams
import Domain
import Foundation
import KithTestSupport
import Testing

/// Mutes, pins, profile fields, and the notifications that follows with `notify` and edits
/// of boosted posts produce; over HTTP, across two federating nodes.
@Suite(.serialized, .timeLimit(.minutes(20))) struct ClientAPIRelationsTests {
    typealias API = ClientAPITests.API

    func token(_ node: TestNode, _ account: Account, scope: String = "read write follow") async throws -> String {
        try await ClientAPITests().token(node, account, scope: scope)
    }

    func patch(_ api: API, _ path: String, _ body: String, form: Bool = false) async throws -> RawHTTP.Reply {
        try await RawHTTP.send(
            .PATCH, api.node.baseURL + path,
            headers: ["Authorization": "Bearer \(api.token)", "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json"],
            body: body)
    }

    func ids(_ reply: RawHTTP.Reply) -> [String] {
        reply.json?.listValue.compactMap { $0["id"]?.stringValue } ?? []
    }

    @Test func statusAndUpdateNotificationsAndMutes() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let carol = try await hq.createAccount("carol")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let c = API(node: hq, token: try await token(hq, carol))
            let b = API(node: sub, token: try await token(sub, bob))

            // carol (same node) and bob (other node) follow alice asking to hear of her posts.
            let followed = try await c.post("/api/v1/accounts/\(alice.id)/follow", #"{"notify":true}"#)
            #expect(followed.json?["following"] == true)
            #expect(followed.json?["notifying"] == true)
            let aliceOnSub = try await sub.runtime.resolver.resolve(hq.acct("alice"))
            #expect(try await b.post("/api/v1/accounts/\(aliceOnSub.id)/follow", #"{"notify":"true"}"#).json?["notifying"] == true)
            try await eventually("bob follows alice") {
                try await b.get("/api/v1/accounts/relationships?id[]=\(aliceOnSub.id)").json?.listValue.first?["following"] == true
            }

            // alice posts: a `status` notification for both; a reply to someone else notifies nobody.
            let post = try await a.post("/api/v1/statuses", #"{"status":"Release train leaves at 5"}"#)
            let postID = try #require(post.json?["id"]?.stringValue)
            let postURI = try #require(post.json?["uri"]?.stringValue)
            let carolNotes = try await c.get("/api/v1/notifications?types[]=status").json?.listValue ?? []
            #expect(carolNotes.map { $0["status"]?["id"]?.stringValue } == [postID])
            #expect(carolNotes.first?["account"]?["username"] == "alice")
            try await eventually("bob's status notification") {
                try await b.get("/api/v1/notifications?types[]=status").json?.listValue.first?["status"]?["uri"]?.stringValue == postURI
            }
            let carolsPost = try await c.post("/api/v1/statuses", #"{"status":"mine"}"#)
            _ = try await a.post("/api/v1/statuses", #"{"status":"@carol noted","in_reply_to_id":"\#(carolsPost.json?["id"]?.stringValue ?? "")"}"#)
            #expect(try await c.get("/api/v1/notifications?types[]=status").json?.listValue.count == 1)

            // carol boosts the post; alice edits it (PUT): carol hears of the edit, each time on top.
            _ = try await c.post("/api/v1/statuses/\(postID)/reblog")
            func put(_ api: API, _ id: String, _ json: String) async throws -> RawHTTP.Reply {
                try await RawHTTP.send(
                    .PUT, hq.baseURL + "/api/v1/statuses/\(id)", headers: ["Authorization": "Bearer \(api.token)", "Content-Type": "application/json"],
                    body: json)
            }
            let edited = try await put(a, postID, #"{"status":"Release train leaves at 6 #ops","spoiler_text":"schedule"}"#)
            #expect(edited.status == 200, "\(edited.body)")
            #expect(edited.json?["edited_at"] != .null)
            #expect(edited.json?["spoiler_text"] == "schedule")
            #expect(edited.json?["sensitive"] == true)
            #expect(edited.json?["tags"]?.listValue.first?["name"] == "ops")
            #expect(try await put(c, postID, #"{"status":"not mine"}"#).status == 404)
            #expect(try await put(a, postID, #"{"status":" "}"#).status == 422)
            try await eventually("the edit on sub") {
                try await sub.store.statuses.status(uri: postURI)?.content.contains("leaves at 6") == true
            }
            let update = try #require(try await c.get("/api/v1/notifications?types[]=update").json?.listValue.first)
            #expect(update["status"]?["content"]?.stringValue?.contains("Release train leaves at 6") == true)
            let firstUpdateID = try #require(update["id"]?.stringValue)
            _ = try await put(a, postID, #"{"status":"Release train leaves at 7"}"#)
            let updates = try await c.get("/api/v1/notifications?types[]=update").json?.listValue ?? []
            #expect(updates.count == 1)
            #expect(Int64(updates.first?["id"]?.stringValue ?? "") ?? 0 > Int64(firstUpdateID)!)
            #expect(try await a.get("/api/v1/notifications?types[]=update").json?.listValue.isEmpty == true)  // not the author

            // Muting: alice's posts leave carol's timelines and her notifications go with them.
            #expect(try await c.get("/api/v1/timelines/home").json?.listValue.contains { $0["account"]?["username"] == "alice" } == true)
            let activitiesBefore = try await hq.count("SELECT count(*) FROM activities")
            let muted = try await c.post("/api/v1/accounts/\(alice.id)/mute")
            #expect(muted.status == 200, "\(muted.body)")
            #expect(muted.json?["muting"] == true)
            #expect(muted.json?["muting_notifications"] == true)
            let home = try await c.get("/api/v1/timelines/home").json?.listValue ?? []
            #expect(!home.isEmpty)
            #expect(home.allSatisfy { $0["account"]?["username"] == "carol" && $0["reblog"] == .null })  // her boost of alice is hidden too
            #expect(try await c.get("/api/v1/timelines/public").json?.listValue.contains { $0["account"]?["username"] == "alice" } == false)
            #expect(try await c.get("/api/v1/notifications").json?.listValue.isEmpty == true)
            #expect(ids(try await c.get("/api/v1/mutes")) == [String(alice.id)])
            #expect(try await c.get("/api/v1/accounts/\(alice.id)/statuses").json?.listValue.isEmpty == false)  // the profile still shows them

            // Muting only the timeline keeps the notifications; unmuting brings everything back.
            #expect(try await c.post("/api/v1/accounts/\(alice.id)/mute", #"{"notifications":false}"#).json?["muting_notifications"] == false)
            #expect(try await c.get("/api/v1/notifications").json?.listValue.isEmpty == false)
            #expect(try await c.post("/api/v1/accounts/\(alice.id)/unmute").json?["muting"] == false)
            #expect(try await c.get("/api/v1/timelines/home").json?.listValue.contains { $0["account"]?["username"] == "alice" } == true)
            #expect(try await c.get("/api/v1/mutes").json?.listValue.isEmpty == true)

            // A mute with a duration ends by itself; a bad duration is refused.
            #expect(try await c.post("/api/v1/accounts/\(alice.id)/mute", #"{"duration":1}"#).json?["muting"] == true)
            try await eventually("the mute expired") {
                try await c.get("/api/v1/accounts/relationships?id[]=\(alice.id)").json?.listValue.first?["muting"] == false
            }
            #expect(try await c.post("/api/v1/accounts/\(alice.id)/mute", #"{"duration":"soon"}"#).status == 422)
            #expect(try await c.post("/api/v1/accounts/\(carol.id)/mute").status == 404)  // not oneself

            // Mutes never federate: nothing was recorded to deliver.
            #expect(try await hq.count("SELECT count(*) FROM activities") == activitiesBefore)

            // The blocks list.
            _ = try await c.post("/api/v1/accounts/\(alice.id)/block")
            #expect(ids(try await c.get("/api/v1/blocks")) == [String(alice.id)])
            #expect(try await c.get("/api/v1/timelines/public").json?.listValue.contains { $0["account"]?["username"] == "alice" } == false)
        }
    }

    @Test func pinsFieldsAndDiscoverable() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let carol = try await hq.createAccount("carol")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let c = API(node: hq, token: try await token(hq, carol))
            let b = API(node: sub, token: try await token(sub, bob))

            // Five pins at most, own posts only, never a direct message.
            var posts: [String] = []
            for i in 0..<6 { posts.append(try #require(try await a.post("/api/v1/statuses", #"{"status":"post \#(i)"}"#).json?["id"]?.stringValue)) }
            for id in posts.prefix(5) {
                let pinned = try await a.post("/api/v1/statuses/\(id)/pin")
                #expect(pinned.json?["pinned"] == true, "\(pinned.body)")
            }
            let sixth = try await a.post("/api/v1/statuses/\(posts[5])/pin")
            #expect(sixth.status == 422)
            #expect(sixth.json?["error"]?.stringValue?.contains("maximum") == true)
            #expect(try await c.post("/api/v1/statuses/\(posts[5])/pin").status == 422)
            let dm = try #require(try await a.post("/api/v1/statuses", #"{"status":"@carol psst","visibility":"direct"}"#).json?["id"]?.stringValue)
            #expect(try await a.post("/api/v1/statuses/\(posts[0])/unpin").json?["pinned"] == false)
            #expect(try await a.post("/api/v1/statuses/\(dm)/pin").status == 422)
            #expect(try await a.post("/api/v1/statuses/\(posts[0])/pin").json?["pinned"] == true)

            // pinned=true lists them, latest pin first; others see them too, but not as their pins.
            let pinned = try await c.get("/api/v1/accounts/\(alice.id)/statuses?pinned=1")  // Rails booleans: 1, true, True
            #expect(ids(pinned) == [posts[0], posts[4], posts[3], posts[2], posts[1]])
            #expect(pinned.json?.listValue.allSatisfy { $0["pinned"] == false } == true)
            #expect(try await a.get("/api/v1/statuses/\(posts[4])").json?["pinned"] == true)
            #expect(try await c.get("/api/v1/accounts/\(carol.id)/statuses?pinned=true").json?.listValue.isEmpty == true)

            // The featured collection carries them, and the other node learns the pins from Add.
            let bobKey = try await sub.signingKey(bob)
            let featured = try JSONValue.parse(Array(try await RawHTTP.get(hq.baseURL + "/users/alice/collections/featured", as: bobKey).body.utf8))
            #expect(featured["totalItems"]?.numberValue == 5)
            #expect(featured["orderedItems"]?.listValue.first?["type"] == "Note")
            _ = try await b.post("/api/v1/accounts/\(try await sub.runtime.resolver.resolve(hq.acct("alice")).id)/follow")
            try await eventually("bob follows alice") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }
            _ = try await a.post("/api/v1/statuses/\(posts[1])/unpin")
            _ = try await a.post("/api/v1/statuses/\(posts[5])/pin")
            let aliceOnSub = try #require(try await sub.store.accounts.account(uri: alice.uri))
            try await eventually("the pin on sub") {
                try await b.get("/api/v1/accounts/\(aliceOnSub.id)/statuses?pinned=true").json?.listValue.first?["content"]?.stringValue?
                    .contains("post 5") == true
            }

            // Profile fields and discoverable, as a form and as JSON; federated in the actor.
            let form = try await patch(
                a, "/api/v1/accounts/update_credentials",
                "discoverable=false&fields_attributes%5B0%5D%5Bname%5D=Team&fields_attributes%5B0%5D%5Bvalue%5D=Platform&"
                    + "fields_attributes%5B1%5D%5Bname%5D=Wiki&fields_attributes%5B1%5D%5Bvalue%5D=https%3A%2F%2Fwiki.example%2Falice",
                form: true)
            #expect(form.status == 200, "\(form.body)")
            #expect(form.json?["discoverable"] == false)
            let fields = form.json?["fields"]?.listValue ?? []
            #expect(fields.map { $0["name"]?.stringValue } == ["Team", "Wiki"])
            #expect(fields.last?["value"]?.stringValue?.contains(#"<a href="https://wiki.example/alice""#) == true)
            #expect(form.json?["source"]?["fields"]?.listValue.last?["value"] == "https://wiki.example/alice")
            let actor = try JSONValue.parse(Array(try await RawHTTP.get(alice.uri, as: bobKey).body.utf8))
            #expect(actor["discoverable"] == false)
            #expect(actor["attachment"]?.listValue.first?["type"] == "PropertyValue")
            #expect(actor["attachment"]?.listValue.first?["value"] == "<p>Platform</p>")
            try await eventually("the fields on sub") {
                try await b.get("/api/v1/accounts/\(aliceOnSub.id)").json?["fields"]?.listValue.first?["name"] == "Team"
            }
            let json = try await patch(a, "/api/v1/accounts/update_credentials", #"{"fields_attributes":[{"name":"Desk","value":"4.12"}],"discoverable":true}"#)
            #expect(json.json?["fields"]?.listValue.map { $0["name"]?.stringValue } == ["Desk"])
            #expect(json.json?["discoverable"] == true)
            let keyed = try await patch(a, "/api/v1/accounts/update_credentials", #"{"fields_attributes":{"0":{"name":"Room","value":"B"}}}"#)
            #expect(keyed.json?["fields"]?.listValue.map { $0["name"]?.stringValue } == ["Room"])
            let five = (0..<5).map { #"{"name":"f\#($0)","value":"v"}"# }.joined(separator: ",")
            #expect(try await patch(a, "/api/v1/accounts/update_credentials", #"{"fields_attributes":[\#(five)]}"#).status == 422)
            let long = try await patch(a, "/api/v1/accounts/update_credentials", #"{"fields_attributes":[{"name":"x","value":"\#(String(repeating: "v", count: 256))"}]}"#)
            #expect(long.status == 422)
            #expect(try await a.get("/api/v1/accounts/verify_credentials").json?["fields"]?.listValue.first?["name"] == "Room")

            // accounts/search: by prefix, and user@domain through WebFinger with resolve.
            #expect(try await c.get("/api/v1/accounts/search?q=ali").json?.listValue.first?["username"] == "alice")
            let remote = try await c.get("/api/v1/accounts/search?q=\(sub.acct("bob"))&resolve=true")
            #expect(remote.json?.listValue.first?["acct"]?.stringValue == sub.acct("bob"))
            #expect(try await c.get("/api/v1/accounts/search?q=").status == 400)
        }
    }

    @Test func localOnlyPostsRepliesAndBoostsStayOnTheNode() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let carol = try await hq.createAccount("carol")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let c = API(node: hq, token: try await token(hq, carol))
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("carol"))
            try await eventually("bob follows both") { try await sub.store.graph.followCounts(of: bob.id).following == 2 }
            _ = try await c.post("/api/v1/accounts/\(alice.id)/follow")

            let kept = try await a.post("/api/v1/statuses", #"{"status":"Team lunch moved to 1pm","local_only":true}"#)
            #expect(kept.json?["local_only"] == true)
            let keptID = try #require(kept.json?["id"]?.stringValue)
            let keptURI = try #require(kept.json?["uri"]?.stringValue)
            #expect(try await c.get("/api/v1/timelines/home").json?.listValue.contains { $0["id"]?.stringValue == keptID } == true)
            // A reply and a boost by carol stay local too, though bob follows her.
            let reply = try await c.post("/api/v1/statuses", #"{"status":"see you there","in_reply_to_id":"\#(keptID)"}"#)
            #expect(reply.json?["local_only"] == true)
            let boost = try await c.post("/api/v1/statuses/\(keptID)/reblog")
            #expect(boost.json?["local_only"] == true)
            // A public post after them reaches sub; the local-only ones never do.
            let shared = try #require(try await a.post("/api/v1/statuses", #"{"status":"All hands at 3"}"#).json?["uri"]?.stringValue)
            try await eventually("the public post on sub") { try await sub.store.statuses.status(uri: shared) != nil }
            try await eventually("hq's deliveries done") { try await hq.count("SELECT count(*) FROM deliveries WHERE state = 'pending'") == 0 }
            #expect(try await sub.store.statuses.status(uri: keptURI) == nil)
            #expect(try await sub.count("SELECT count(*) FROM statuses WHERE local = false") == 1)
            #expect(
                try await hq.count(
                    """
                    SELECT count(*) FROM deliveries d JOIN activities x ON x.id = d.activity_id JOIN statuses s ON s.id = x.status_id
                    WHERE s.local_only
                    """) == 0)
            #expect(try await hq.count("SELECT count(*) FROM activities WHERE fanout_state = 'none'") == 3)
            // Edits and deletes of it stay home as well.
            _ = try await RawHTTP.send(
                .PUT, hq.baseURL + "/api/v1/statuses/\(keptID)", headers: ["Authorization": "Bearer \(a.token)", "Content-Type": "application/json"],
                body: #"{"status":"Team lunch moved to 2pm"}"#)
            _ = try await a.delete("/api/v1/statuses/\(keptID)")
            #expect(try await hq.count("SELECT count(*) FROM activities WHERE fanout_state = 'none'") == 5)
        }
    }
}

/// The login wall, up (the default) and down.
@Suite(.serialized, .timeLimit(.minutes(20))) struct LoginWallTests {
    @Test func anonymousReadersSeePublicPostsOnlyWhenTheWallIsDown() async throws {
        try await withNodeGate {
            let node = try await TestNode(name: "open_wall", loginWall: false)
            do {
                try await node.start()
                let alice = try await node.createAccount("alice")
                let a = ClientAPITests.API(node: node, token: try await ClientAPITests().token(node, alice))
                let shown = try #require(try await a.post("/api/v1/statuses", #"{"status":"Open house #kith"}"#).json?["id"]?.stringValue)
                let hidden = try #require(try await a.post("/api/v1/statuses", #"{"status":"followers","visibility":"private"}"#).json?["id"]?.stringValue)
                let local = try #require(try await a.post("/api/v1/statuses", #"{"status":"home only","local_only":true}"#).json?["id"]?.stringValue)
                func anonymous(_ path: String) async throws -> RawHTTP.Reply { try await RawHTTP.send(.GET, node.baseURL + path) }
                let timeline = try await anonymous("/api/v1/timelines/public")
                #expect(timeline.status == 200)
                #expect(timeline.json?.listValue.compactMap { $0["id"]?.stringValue } == [shown])
                #expect(try await anonymous("/api/v1/timelines/tag/kith").json?.listValue.count == 1)
                #expect(try await anonymous("/api/v1/statuses/\(shown)").status == 200)
                #expect(try await anonymous("/api/v1/statuses/\(hidden)").status == 404)
                #expect(try await anonymous("/api/v1/statuses/\(local)").status == 404)
                #expect(try await anonymous("/api/v1/accounts/\(alice.id)").json?["username"] == "alice")
                #expect(try await anonymous("/api/v1/accounts/\(alice.id)/statuses").json?.listValue.map { $0["id"]?.stringValue } == [shown])
                #expect(try await anonymous("/api/v1/accounts/lookup?acct=alice").status == 200)
                // A thread shows each reader only the replies they may see.
                _ = try await a.post("/api/v1/statuses", #"{"status":"for followers","visibility":"private","in_reply_to_id":"\#(shown)"}"#)
                #expect(try await anonymous("/api/v1/statuses/\(shown)/context").json?["descendants"]?.listValue.isEmpty == true)
                #expect(try await a.get("/api/v1/statuses/\(shown)/context").json?["descendants"]?.listValue.count == 1)
                // The rest still wants a token; a bad token is still refused.
                #expect(try await anonymous("/api/v1/timelines/home").status == 401)
                #expect(try await anonymous("/api/v1/notifications").status == 401)
                #expect(try await RawHTTP.send(.GET, node.baseURL + "/api/v1/timelines/public", headers: ["Authorization": "Bearer nope"]).status == 401)
                // Signed in, the local-only post shows.
                #expect(try await a.get("/api/v1/timelines/public").json?.listValue.count == 2)
            } catch {
                await node.remove()
                throw error
            }
            await node.remove()
        }
    }
}
