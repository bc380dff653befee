import ActivityStreams
import Domain
import Foundation
import KithTestSupport
import Testing

/// The Mastodon client API over HTTP, across two federating nodes.
@Suite(.serialized, .timeLimit(.minutes(20))) struct ClientAPITests {
    /// A token for `username` on `node`, with `scope`.
    func token(_ node: TestNode, _ account: Account, scope: String = "read write follow") async throws -> String {
        try await node.setPassword(account, "pass-\(account.username)-word")
        let app = try #require(
            try await RawHTTP.send(
                .POST, node.baseURL + "/api/v1/apps", headers: ["Content-Type": "application/json"],
                body: #"{"client_name":"t","redirect_uris":"urn:ietf:wg:oauth:2.0:oob","scopes":"read write follow"}"#
            ).json)
        let reply = try await RawHTTP.send(
            .POST, node.baseURL + "/oauth/token", headers: ["Content-Type": "application/json"],
            body: #"{"grant_type":"password","client_id":"\#(app["client_id"]!.stringValue!)","client_secret":"\#(app["client_secret"]!.stringValue!)","username":"\#(account.username)","password":"pass-\#(account.username)-word","scope":"\#(scope)"}"#)
        return try #require(reply.json?["access_token"]?.stringValue, "\(reply.body)")
    }

    struct API {
        let node: TestNode
        let token: String
        func get(_ path: String) async throws -> RawHTTP.Reply {
            try await RawHTTP.send(.GET, node.baseURL + path, headers: ["Authorization": "Bearer \(token)"])
        }
        func post(_ path: String, _ json: String = "{}", headers: [String: String] = [:]) async throws -> RawHTTP.Reply {
            try await RawHTTP.send(
                .POST, node.baseURL + path, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"].merging(headers) { $1 },
                body: json)
        }
        func delete(_ path: String) async throws -> RawHTTP.Reply {
            try await RawHTTP.send(.DELETE, node.baseURL + path, headers: ["Authorization": "Bearer \(token)"])
        }
    }

    @Test func postFollowTimelineFavouriteBoostBookmarkReplyDelete() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let b = API(node: sub, token: try await token(sub, bob))

            // bob finds alice (known to sub once resolved) and follows her.
            _ = try await sub.runtime.resolver.resolve(hq.acct("alice"))
            let found = try await b.get("/api/v1/accounts/lookup?acct=\(hq.acct("alice"))")
            #expect(found.status == 200)
            #expect(found.json?["acct"]?.stringValue == hq.acct("alice"))
            let aliceID = try #require(found.json?["id"]?.stringValue)
            let followed = try await b.post("/api/v1/accounts/\(aliceID)/follow")
            #expect(followed.status == 200, "\(followed.body)")
            #expect(followed.json?["requested"] == true)
            try await eventually("following") {
                try await b.get("/api/v1/accounts/relationships?id[]=\(aliceID)").json?.listValue.first?["following"] == true
            }

            // alice posts with a mention, a tag and a link; bob sees it in his home timeline.
            let posted = try await a.post("/api/v1/statuses", #"{"status":"Hello @bob@\#(sub.domain) #Kith https://example.org","visibility":"public"}"#)
            #expect(posted.status == 200, "\(posted.body)")
            let content = try #require(posted.json?["content"]?.stringValue)
            #expect(content.contains(#"class="u-url mention""#))
            #expect(content.contains(#"href="\#(hq.baseURL)/tags/kith""#))
            #expect(content.contains(#"<a href="https://example.org""#))
            #expect(posted.json?["mentions"]?.listValue.first?["acct"]?.stringValue == sub.acct("bob"))
            #expect(posted.json?["tags"]?.listValue.first?["name"] == "kith")
            let postURI = try #require(posted.json?["uri"]?.stringValue)
            let alicePostID = try #require(posted.json?["id"]?.stringValue)
            try await eventually("the post in bob's home timeline") {
                try await b.get("/api/v1/timelines/home").json?.listValue.contains(where: { $0["uri"]?.stringValue == postURI }) == true
            }
            let home = try await b.get("/api/v1/timelines/home").json?.listValue ?? []
            let copyID = try #require(home.first(where: { $0["uri"]?.stringValue == postURI })?["id"]?.stringValue)

            // bob favourites, boosts and bookmarks it; alice's node counts the first two.
            #expect(try await b.post("/api/v1/statuses/\(copyID)/favourite").json?["favourited"] == true)
            let boosted = try await b.post("/api/v1/statuses/\(copyID)/reblog")
            #expect(boosted.json?["reblog"]?["id"]?.stringValue == copyID)
            #expect(try await b.post("/api/v1/statuses/\(copyID)/bookmark").json?["bookmarked"] == true)
            try await eventually("counted on hq") {
                let status = try await a.get("/api/v1/statuses/\(alicePostID)").json
                return status?["favourites_count"]?.numberValue == 1 && status?["reblogs_count"]?.numberValue == 1
            }

            // Notifications: alice was followed, favourited and boosted; bob was mentioned.
            try await eventually("alice's notifications") {
                let types = Set((try await a.get("/api/v1/notifications").json?.listValue ?? []).compactMap { $0["type"]?.stringValue })
                return types == ["follow", "favourite", "reblog"]
            }
            let mentions = try await b.get("/api/v1/notifications?types[]=mention").json?.listValue ?? []
            #expect(mentions.count == 1)
            #expect(mentions.first?["status"]?["uri"]?.stringValue == postURI)
            #expect(mentions.first?["account"]?["acct"]?.stringValue == hq.acct("alice"))
            let favourites = try await a.get("/api/v1/notifications?exclude_types[]=follow&exclude_types[]=reblog").json?.listValue ?? []
            #expect(favourites.map { $0["type"]?.stringValue } == ["favourite"])
            let favouriteID = try #require(favourites.first?["id"]?.stringValue)
            #expect(try await a.get("/api/v1/notifications/\(favouriteID)").json?["account"]?["acct"]?.stringValue == sub.acct("bob"))
            #expect(try await b.get("/api/v1/notifications/\(favouriteID)").status == 404)  // not bob's
            #expect(try await a.post("/api/v1/notifications/\(favouriteID)/dismiss").status == 200)
            #expect(try await a.get("/api/v1/notifications").json?.listValue.count == 2)
            #expect(try await a.post("/api/v1/notifications/clear").status == 200)
            #expect(try await a.get("/api/v1/notifications").json?.listValue.isEmpty == true)
            #expect(try await API(node: hq, token: try await token(hq, alice, scope: "read:statuses")).get("/api/v1/notifications").status == 403)

            // bob replies; alice sees the thread.
            let reply = try await b.post("/api/v1/statuses", #"{"status":"@alice@\#(hq.domain) thanks!","in_reply_to_id":"\#(copyID)"}"#)
            #expect(reply.status == 200)
            #expect(reply.json?["in_reply_to_id"]?.stringValue == copyID)
            try await eventually("the reply in the context on hq") {
                try await a.get("/api/v1/statuses/\(alicePostID)/context").json?["descendants"]?.listValue.count == 1
            }
            // One page carries all of it: the boost with its original (bob's marks, the counts,
            // the author), the reply with its parent's author and its mention.
            let page = try await b.get("/api/v1/timelines/home").json?.listValue ?? []
            let boostEntity = page.first { $0["reblog"]?["id"]?.stringValue == copyID }
            #expect(boostEntity?["reblog"]?["favourited"] == true)
            #expect(boostEntity?["reblog"]?["bookmarked"] == true)
            #expect(boostEntity?["reblog"]?["reblogs_count"]?.numberValue == 1)
            #expect(boostEntity?["reblog"]?["favourites_count"]?.numberValue == 1)
            #expect(boostEntity?["reblog"]?["account"]?["acct"]?.stringValue == hq.acct("alice"))
            #expect(boostEntity?["account"]?["acct"]?.stringValue == "bob")
            let replyEntity = page.first { $0["in_reply_to_id"]?.stringValue == copyID }
            #expect(replyEntity != nil)
            #expect(replyEntity?["in_reply_to_account_id"] == home.first(where: { $0["uri"]?.stringValue == postURI })?["account"]?["id"])
            #expect(replyEntity?["mentions"]?.listValue.first?["acct"]?.stringValue == hq.acct("alice"))

            // Idempotency-Key: the same post once.
            let first = try await a.post("/api/v1/statuses", #"{"status":"once"}"#, headers: ["Idempotency-Key": "k-1"])
            let second = try await a.post("/api/v1/statuses", #"{"status":"once"}"#, headers: ["Idempotency-Key": "k-1"])
            #expect(first.json?["id"] == second.json?["id"])

            // Delete returns the text; afterwards it is gone here and there.
            let deleted = try await a.delete("/api/v1/statuses/\(alicePostID)")
            #expect(deleted.status == 200)
            #expect(deleted.json?["text"]?.stringValue?.contains("Hello") == true)
            #expect(try await a.get("/api/v1/statuses/\(alicePostID)").status == 404)
            try await eventually("deleted on sub") { try await b.get("/api/v1/statuses/\(copyID)").status == 404 }
        }
    }

    @Test func validationAuthorisationVisibilityAndPagination() async throws {
        try await withTwoNodes { hq, _ in
            let alice = try await hq.createAccount("alice")
            let carol = try await hq.createAccount("carol")
            let a = API(node: hq, token: try await token(hq, alice))
            let c = API(node: hq, token: try await token(hq, carol))
            let readOnly = API(node: hq, token: try await token(hq, alice, scope: "read"))

            for (body, status) in [
                (#"{"status":""}"#, 422), (#"{"status":"\#(String(repeating: "x", count: 5001))"}"#, 422),
                (#"{"status":"x","visibility":"secret"}"#, 422), (#"{"status":"x","in_reply_to_id":"1"}"#, 404),
            ] {
                let reply = try await a.post("/api/v1/statuses", body)
                #expect(reply.status == status, "\(body.prefix(40)): \(reply.body)")
                #expect(reply.json?["error"]?.stringValue != nil)
            }
            #expect(try await readOnly.post("/api/v1/statuses", #"{"status":"x"}"#).status == 403)
            #expect(try await API(node: hq, token: "bogus").get("/api/v1/timelines/home").status == 401)
            #expect(try await RawHTTP.send(.GET, hq.baseURL + "/api/v1/timelines/public").status == 401)

            // A followers-only post is hidden from a non-follower.
            let hidden = try await a.post("/api/v1/statuses", #"{"status":"for followers","visibility":"private"}"#)
            let hiddenID = try #require(hidden.json?["id"]?.stringValue)
            #expect(try await c.get("/api/v1/statuses/\(hiddenID)").status == 404)
            #expect(try await a.get("/api/v1/statuses/\(hiddenID)").status == 200)

            // 25 public posts: pages of 10 with Link headers, older with max_id, newer with min_id.
            var ids: [Int64] = []
            for i in 0..<25 {
                ids.append(Int64(try #require(try await a.post("/api/v1/statuses", #"{"status":"post \#(i)"}"#).json?["id"]?.stringValue))!)
            }
            let page1 = try await a.get("/api/v1/timelines/home?limit=10")
            let items1 = page1.json?.listValue ?? []
            #expect(items1.count == 10)
            #expect(items1.first?["id"]?.stringValue == String(ids[24]))
            let link = try #require(page1.headers["link"])
            #expect(link.contains("max_id=\(ids[15])"))
            #expect(link.contains("rel=\"next\""))
            let page2 = try await a.get("/api/v1/timelines/home?limit=10&max_id=\(ids[15])")
            #expect(page2.json?.listValue.first?["id"]?.stringValue == String(ids[14]))
            let newer = try await a.get("/api/v1/timelines/home?limit=3&min_id=\(ids[5])")
            #expect(newer.json?.listValue.map { $0["id"]?.stringValue } == [String(ids[8]), String(ids[7]), String(ids[6])])
            let since = try await a.get("/api/v1/timelines/home?limit=3&since_id=\(ids[5])")
            #expect(since.json?.listValue.first?["id"]?.stringValue == String(ids[24]))
            #expect(try await a.get("/api/v1/timelines/home?max_id=abc").status == 400)
            // Carol sees the public posts in the local timeline, not the private one.
            let local = try await c.get("/api/v1/timelines/public?local=true&limit=40").json?.listValue ?? []
            #expect(local.count == 25)
            #expect(try await c.get("/api/v1/timelines/public?remote=true").json?.listValue.isEmpty == true)
            let byAccount = try await c.get("/api/v1/accounts/\(alice.id)/statuses?limit=40").json?.listValue ?? []
            #expect(byAccount.count == 25)
            #expect(try await c.get("/api/v1/accounts/\(alice.id)").json?["statuses_count"]?.numberValue == 26)
            // The count is kept by the database as posts come and go, and every entity shows it.
            #expect(try await a.delete("/api/v1/statuses/\(ids[0])").status == 200)
            #expect(try await c.get("/api/v1/accounts/\(alice.id)").json?["statuses_count"]?.numberValue == 25)
            let newest = try await a.get("/api/v1/timelines/home?limit=1").json?.listValue.first
            #expect(newest?["account"]?["statuses_count"]?.numberValue == 25)
            #expect(newest?["account"]?["id"]?.stringValue == String(alice.id))
            #expect(try await c.get("/api/v1/accounts/999").status == 404)
        }
    }

    @Test func listsRequestsProfileAndSearch() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice", locked: true)
            let amy = try await hq.createAccount("amy")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let m = API(node: hq, token: try await token(hq, amy))
            let b = API(node: sub, token: try await token(sub, bob))

            // Search with resolve finds alice on hq through WebFinger; bob asks to follow her.
            let found = try await b.get("/api/v2/search?q=\(hq.acct("alice"))&resolve=true&type=accounts")
            #expect(found.status == 200, "\(found.body)")
            let aliceOnSub = try #require(found.json?["accounts"]?.listValue.first?["id"]?.stringValue)
            #expect(found.json?["accounts"]?.listValue.first?["locked"] == true)
            #expect(try await b.post("/api/v1/accounts/\(aliceOnSub)/follow").json?["requested"] == true)
            try await eventually("the request on hq") { try await a.get("/api/v1/follow_requests").json?.listValue.count == 1 }
            let requester = try #require(try await a.get("/api/v1/follow_requests").json?.listValue.first)
            #expect(requester["acct"]?.stringValue == sub.acct("bob"))
            let requesterID = try #require(requester["id"]?.stringValue)
            let authorized = try await a.post("/api/v1/follow_requests/\(requesterID)/authorize")
            #expect(authorized.json?["followed_by"] == true)
            try await eventually("accepted on sub") {
                try await b.get("/api/v1/accounts/relationships?id[]=\(aliceOnSub)").json?.listValue.first?["following"] == true
            }
            let followers = try await a.get("/api/v1/accounts/\(alice.id)/followers").json?.listValue ?? []
            #expect(followers.map { $0["acct"]?.stringValue } == [sub.acct("bob")])
            #expect(try await b.get("/api/v1/accounts/\(bob.id)/following").json?.listValue.first?["id"]?.stringValue == aliceOnSub)
            #expect(try await a.post("/api/v1/follow_requests/\(requesterID)/reject").status == 404)  // nothing pending

            // Favourites and bookmarks lists; who favourited and boosted.
            let post = try await a.post("/api/v1/statuses", #"{"status":"Quarterly #results are in"}"#)
            let postID = try #require(post.json?["id"]?.stringValue)
            let postURI = try #require(post.json?["uri"]?.stringValue)
            _ = try await m.post("/api/v1/statuses/\(postID)/favourite")
            _ = try await m.post("/api/v1/statuses/\(postID)/reblog")
            _ = try await m.post("/api/v1/statuses/\(postID)/bookmark")
            #expect(try await m.get("/api/v1/favourites").json?.listValue.map { $0["id"]?.stringValue } == [postID])
            let bookmarks = try await m.get("/api/v1/bookmarks")
            #expect(bookmarks.json?.listValue.first?["bookmarked"] == true)
            #expect(bookmarks.headers["link"]?.contains("rel=\"next\"") == true)
            #expect(try await a.get("/api/v1/statuses/\(postID)/favourited_by").json?.listValue.first?["username"] == "amy")
            #expect(try await a.get("/api/v1/statuses/\(postID)/reblogged_by").json?.listValue.first?["username"] == "amy")
            _ = try await m.post("/api/v1/statuses/\(postID)/unbookmark")
            #expect(try await m.get("/api/v1/bookmarks").json?.listValue.isEmpty == true)

            // Search: local accounts by prefix, posts by text, tags; a remote post by URL.
            let local = try await m.get("/api/v2/search?q=al")
            #expect(local.json?["accounts"]?.listValue.contains { $0["username"] == "alice" } == true)
            #expect(local.json?["hashtags"]?.listValue.isEmpty == true)
            let tagged = try await m.get("/api/v2/search?q=%23res&type=hashtags")
            #expect(tagged.json?["hashtags"]?.listValue.first?["name"] == "results")
            #expect(try await m.get("/api/v2/search?q=quarterly&type=statuses").json?["statuses"]?.listValue.first?["id"]?.stringValue == postID)
            let remote = try await b.get("/api/v2/search?q=\(postURI.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&resolve=true")
            #expect(remote.json?["statuses"]?.listValue.first?["uri"]?.stringValue == postURI)
            #expect(try await b.get("/api/v2/search?q=").status == 400)

            // Profile: display name and note, federated as Update.
            let updated = try await RawHTTP.send(
                .PATCH, hq.baseURL + "/api/v1/accounts/update_credentials",
                headers: ["Authorization": "Bearer \(a.token)", "Content-Type": "application/json"],
                body: #"{"display_name":"Alice (Ops)","note":"Runs #ops","locked":"false"}"#)
            #expect(updated.status == 200, "\(updated.body)")
            #expect(updated.json?["display_name"] == "Alice (Ops)")
            #expect(updated.json?["locked"] == false)
            #expect(updated.json?["note"]?.stringValue?.contains("tags/ops") == true)
            try await eventually("the profile on sub") {
                try await b.get("/api/v1/accounts/\(aliceOnSub)").json?["display_name"] == "Alice (Ops)"
            }
            let tooLong = try await RawHTTP.send(
                .PATCH, hq.baseURL + "/api/v1/accounts/update_credentials",
                headers: ["Authorization": "Bearer \(a.token)", "Content-Type": "application/json"],
                body: #"{"display_name":"\#(String(repeating: "x", count: 101))"}"#)
            #expect(tooLong.status == 422)
        }
    }

    @Test func tagTimelinePeersMarkersAndBlocks() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let b = API(node: sub, token: try await token(sub, bob))
            _ = try await a.post("/api/v1/statuses", #"{"status":"about #Kith"}"#)
            _ = try await a.post("/api/v1/statuses", #"{"status":"about #other"}"#)
            let tagged = try await a.get("/api/v1/timelines/tag/kith").json?.listValue ?? []
            #expect(tagged.count == 1)
            #expect(tagged.first?["tags"]?.listValue.first?["name"] == "kith")
            #expect(try await RawHTTP.send(.GET, hq.baseURL + "/api/v1/timelines/tag/kith").status == 401)

            // Markers, in form and JSON style.
            let form = try await RawHTTP.send(
                .POST, hq.baseURL + "/api/v1/markers",
                headers: ["Authorization": "Bearer \(a.token)", "Content-Type": "application/x-www-form-urlencoded"],
                body: "home%5Blast_read_id%5D=123")
            #expect(form.json?["home"]?["last_read_id"] == "123")
            _ = try await a.post("/api/v1/markers", #"{"notifications":{"last_read_id":"456"},"home":{"last_read_id":"124"}}"#)
            let markers = try await a.get("/api/v1/markers?timeline[]=home").json
            #expect(markers?["home"]?["last_read_id"] == "124")
            #expect(markers?["home"]?["version"]?.numberValue == 2)
            #expect(markers?["notifications"] == nil)

            // bob follows alice, then alice blocks him: the follow ends on both nodes.
            let aliceOnSub = try await sub.runtime.resolver.resolve(hq.acct("alice"))
            _ = try await b.post("/api/v1/accounts/\(aliceOnSub.id)/follow")
            try await eventually("following") { try await sub.store.graph.followCounts(of: bob.id).following == 1 }
            let bobOnHQ = try #require(try await hq.store.accounts.account(uri: bob.uri))
            #expect(try await RawHTTP.send(.GET, hq.baseURL + "/api/v1/instance/peers").json == [.string(sub.domain)])
            let blocked = try await a.post("/api/v1/accounts/\(bobOnHQ.id)/block")
            #expect(blocked.json?["blocking"] == true)
            #expect(try await hq.store.graph.followCounts(of: alice.id).followers == 0)
            try await eventually("the block on sub") { try await sub.store.graph.isBlocking(accountID: aliceOnSub.id, targetAccountID: bob.id) }
            #expect(try await sub.store.graph.findFollow(accountID: bob.id, targetAccountID: aliceOnSub.id) == nil)
            #expect(try await b.post("/api/v1/accounts/\(aliceOnSub.id)/follow").status == 403)
            #expect(try await a.post("/api/v1/accounts/\(bobOnHQ.id)/unblock").json?["blocking"] == false)
            try await eventually("unblocked on sub") { try await sub.store.graph.isBlocking(accountID: aliceOnSub.id, targetAccountID: bob.id) == false }
        }
    }

    @Test func clientToServerOutboxAndInbox() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let amy = try await hq.createAccount("amy")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let b = API(node: sub, token: try await token(sub, bob))
            let aliceOnSub = try await sub.runtime.resolver.resolve(hq.acct("alice"))
            _ = try await b.post("/api/v1/accounts/\(aliceOnSub.id)/follow")
            try await eventually("following") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }
            // The actor advertises where C2S clients get tokens (FEP-d8c2).
            let actor = try #require(try await RawHTTP.send(.GET, alice.uri, headers: ["Accept": "application/activity+json"]).json)
            #expect(actor["endpoints"]?["oauthTokenEndpoint"]?.stringValue == hq.baseURL + "/oauth/token")

            func outbox(_ json: String, as api: API = a, user: String = "alice") async throws -> RawHTTP.Reply {
                try await RawHTTP.send(
                    .POST, hq.baseURL + "/users/\(user)/outbox",
                    headers: ["Authorization": "Bearer \(api.token)", "Content-Type": "application/activity+json"], body: json)
            }
            // A bare Note is wrapped in a Create, stored, and delivered to bob's node.
            let bare = try await outbox(#"{"type":"Note","content":"<p>Hi <b>from</b> C2S #kith</p>","to":["https://www.w3.org/ns/activitystreams#Public"]}"#)
            #expect(bare.status == 201, "\(bare.body)")
            let location = try #require(bare.headers["location"])
            #expect(location.hasPrefix(alice.uri + "/statuses/") && location.hasSuffix("/activity"))
            let noteURI = String(location.dropLast("/activity".count))
            let stored = try #require(try await hq.store.statuses.status(uri: noteURI))
            #expect(stored.content.contains("Hi from C2S"))
            #expect(!stored.content.contains("<b>"))
            #expect(stored.tags == ["kith"])
            try await eventually("delivered to sub") { try await sub.store.statuses.status(uri: noteURI) != nil }

            // A Create with followers-only addressing; a Like and its Undo; a Delete.
            let create = try await outbox(
                #"{"type":"Create","to":["\#(alice.uri)/followers"],"object":{"type":"Note","content":"only followers"}}"#)
            #expect(create.status == 201)
            let privateURI = String(try #require(create.headers["location"]).dropLast("/activity".count))
            #expect(try await hq.store.statuses.status(uri: privateURI)?.visibility == .private)
            let m = API(node: hq, token: try await token(hq, amy))
            let amyPost = try #require(try await m.post("/api/v1/statuses", #"{"status":"amy here"}"#).json?["uri"]?.stringValue)
            #expect(try await outbox(#"{"type":"Like","object":"\#(amyPost)"}"#).status == 201)
            let amyStatus = try #require(try await hq.store.statuses.status(uri: amyPost))
            #expect(try await hq.store.statuses.counts(statusID: amyStatus.id).favourites == 1)
            #expect(try await outbox(#"{"type":"Undo","object":{"type":"Like","object":"\#(amyPost)"}}"#).status == 201)
            #expect(try await hq.store.statuses.counts(statusID: amyStatus.id).favourites == 0)
            #expect(try await outbox(#"{"type":"Delete","object":"\#(privateURI)"}"#).status == 201)
            #expect(try await hq.store.statuses.status(uri: privateURI) == nil)

            // Refusals: another account's outbox, no token, unsupported types, bad JSON.
            #expect(try await outbox(#"{"type":"Note","content":"x"}"#, as: m).status == 403)
            #expect(try await RawHTTP.send(.POST, hq.baseURL + "/users/alice/outbox", body: "{}").status == 401)
            #expect(try await outbox(#"{"type":"Move","object":"x"}"#).status == 400)
            #expect(try await outbox("not json").status == 400)
            #expect(try await outbox(#"{"type":"Like","object":"https://nowhere.example/x"}"#).status == 404)

            // The owner reads its inbox: once alice follows bob, his post appears there.
            let bobOnHQ = try #require(try await hq.store.accounts.account(uri: bob.uri))
            _ = try await a.post("/api/v1/accounts/\(bobOnHQ.id)/follow")
            try await eventually("alice follows bob") {
                try await hq.store.graph.findFollow(accountID: alice.id, targetAccountID: bobOnHQ.id)?.state == .accepted
            }
            let bobPost = try #require(try await b.post("/api/v1/statuses", #"{"status":"hello @alice@\#(hq.domain)"}"#).json?["uri"]?.stringValue)
            try await eventually("bob's post on hq") { try await hq.store.statuses.status(uri: bobPost) != nil }
            let inbox = try await RawHTTP.send(.GET, alice.uri + "/inbox", headers: ["Authorization": "Bearer \(a.token)"])
            #expect(inbox.status == 200)
            let items = inbox.json?["orderedItems"]?.listValue ?? []
            #expect(items.contains { $0["type"] == "Create" && $0["object"]?["id"]?.stringValue == bobPost })
            #expect(try await RawHTTP.send(.GET, alice.uri + "/inbox").status == 401)
            #expect(try await RawHTTP.send(.GET, alice.uri + "/inbox", headers: ["Authorization": "Bearer \(m.token)"]).status == 403)
        }
    }

    /// A reply, a like or a boost of a post its actor may not see is refused the same way on
    /// every path (Mastodon API, C2S activity, bare C2S object): 404, nothing stored, nothing
    /// delivered, nobody notified.
    @Test func postsTheActorCannotSeeCannotBeRepliedToLikedOrBoosted() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let amy = try await hq.createAccount("amy")
            let carol = try await hq.createAccount("carol")
            let bob = try await sub.createAccount("bob")
            let a = API(node: hq, token: try await token(hq, alice))
            let m = API(node: hq, token: try await token(hq, amy))
            let b = API(node: sub, token: try await token(sub, bob))
            // bob (on the other node) follows alice: whatever she posts is delivered to him.
            let aliceOnSub = try await sub.runtime.resolver.resolve(hq.acct("alice"))
            _ = try await b.post("/api/v1/accounts/\(aliceOnSub.id)/follow")
            try await eventually("bob follows alice") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }

            // amy's posts alice may not see: followers-only (alice does not follow amy), a direct
            // message to carol, and a post to amy's secret group (alice is not a member).
            let followersOnly = try #require(
                try await m.post("/api/v1/statuses", #"{"status":"for my followers","visibility":"private"}"#).json)
            let direct = try #require(
                try await m.post("/api/v1/statuses", #"{"status":"@carol just us","visibility":"direct"}"#).json)
            #expect(try await m.post("/api/v1/kith/groups", #"{"name":"inner","privacy":"secret"}"#).status == 200)
            let grouped = try #require(
                try await m.post("/api/v1/statuses", #"{"status":"@inner members only","visibility":"direct"}"#).json)
            let public_ = try #require(try await m.post("/api/v1/statuses", #"{"status":"for everyone"}"#).json)
            _ = carol

            func outbox(_ json: String) async throws -> RawHTTP.Reply {
                try await RawHTTP.send(
                    .POST, hq.baseURL + "/users/alice/outbox",
                    headers: ["Authorization": "Bearer \(a.token)", "Content-Type": "application/activity+json"], body: json)
            }
            func aliceTraces() async throws -> [Int] {
                [
                    try await hq.count("SELECT count(*) FROM statuses WHERE account_id = \(alice.id)"),
                    try await hq.count("SELECT count(*) FROM favourites WHERE account_id = \(alice.id)"),
                    try await hq.count("SELECT count(*) FROM activities WHERE account_id = \(alice.id)"),
                    try await hq.count("SELECT count(*) FROM notifications WHERE from_account_id = \(alice.id)"),
                ]
            }
            let before = try await aliceTraces()
            for post in [followersOnly, direct, grouped] {
                let uri = try #require(post["uri"]?.stringValue)
                let id = try #require(post["id"]?.stringValue)
                let refusals: [(String, RawHTTP.Reply)] = [
                    ("C2S Create reply", try await outbox(#"{"type":"Create","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"type":"Note","content":"a reply","inReplyTo":"\#(uri)"}}"#)),
                    ("C2S bare Note, inReplyTo as an object", try await outbox(#"{"type":"Note","content":"a reply","to":["https://www.w3.org/ns/activitystreams#Public"],"inReplyTo":{"id":"\#(uri)","type":"Note"}}"#)),
                    ("C2S Like", try await outbox(#"{"type":"Like","object":"\#(uri)"}"#)),
                    ("C2S Announce", try await outbox(#"{"type":"Announce","object":"\#(uri)"}"#)),
                    ("API reply", try await a.post("/api/v1/statuses", #"{"status":"a reply","in_reply_to_id":"\#(id)"}"#)),
                    ("API favourite", try await a.post("/api/v1/statuses/\(id)/favourite")),
                    ("API reblog", try await a.post("/api/v1/statuses/\(id)/reblog")),
                ]
                for (path, reply) in refusals {
                    #expect(reply.status == 404, "\(path) of \(post["content"]?.stringValue ?? ""): \(reply.status) \(reply.body)")
                    #expect(reply.json?["error"]?.stringValue != nil, "\(path): \(reply.body)")
                }
            }
            #expect(try await aliceTraces() == before, "nothing stored, recorded or notified")

            // The same on a post she may see goes through (so the refusals above are the rule's).
            let publicURI = try #require(public_["uri"]?.stringValue)
            let reply = try await outbox(#"{"type":"Note","content":"a reply","to":["https://www.w3.org/ns/activitystreams#Public"],"inReplyTo":{"id":"\#(publicURI)","type":"Note"}}"#)
            #expect(reply.status == 201, "\(reply.body)")
            #expect(try await outbox(#"{"type":"Like","object":"\#(publicURI)"}"#).status == 201)
            let replyURI = String(try #require(reply.headers["location"]).dropLast("/activity".count))
            try await eventually("the allowed reply delivered to bob's node") { try await sub.store.statuses.status(uri: replyURI) != nil }
            #expect(
                try await sub.count("SELECT count(*) FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE a.uri = \(alice.uri)") == 1,
                "of alice's, only the allowed reply reached bob's node")
        }
    }
}
