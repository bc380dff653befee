import ActivityStreams
import App
import Core
import PostgresNIO
import Domain
import Federation
import Foundation
import HTTPSignatures
import KithTestSupport
import Storage
import Testing

/// Two whole Kith nodes in one process, each with its own database, talking real HTTP over
/// loopback with real signatures.
@Suite(.serialized, .timeLimit(.minutes(20))) struct TwoNodeFederationTests {
    @Test func followPostReplyLikeBoostUpdateDelete() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")

            // bob@sub follows alice@hq: resolved by WebFinger, Follow delivered, Accept back.
            let follow = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            #expect(follow.state == .pending)
            try await eventually("bob's follow accepted on sub") {
                try await sub.store.graph.findFollow(accountID: bob.id, targetAccountID: follow.targetAccountID)?.state == .accepted
            }
            let bobOnHQ = try #require(try await hq.store.accounts.account(uri: bob.uri))
            #expect(bobOnHQ.domain == sub.domain)
            #expect(try await hq.store.graph.findFollow(accountID: bobOnHQ.id, targetAccountID: alice.id)?.state == .accepted)
            #expect(try await hq.store.graph.followCounts(of: alice.id).followers == 1)
            #expect(try await sub.store.graph.followCounts(of: bob.id).following == 1)
            // The collections agree (fetched signed: authorized fetch is on).
            let bobKey = try await sub.signingKey(bob)
            let followers = try await RawHTTP.get("\(alice.uri)/followers?page=true", as: bobKey)
            #expect(followers.status == 200)
            #expect(followers.body.contains(bob.uri))
            let following = try await RawHTTP.get("\(bob.uri)/following?page=true", as: bobKey)
            #expect(following.body.contains(alice.uri))

            // alice posts: it reaches bob's node.
            let post = try await hq.social.post(accountID: alice.id, .init(content: "<p>Hello from HQ</p>", tags: ["kith"]))
            try await eventually("the post on sub") { try await sub.store.statuses.status(uri: post.uri) != nil }
            let copy = try #require(try await sub.store.statuses.status(uri: post.uri))
            #expect(copy.content == "<p>Hello from HQ</p>")
            #expect(copy.visibility == .public)
            #expect(copy.tags == ["kith"])
            #expect(copy.local == false)
            // One delivery to sub's shared inbox.
            #expect(try await hq.count("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND inbox_uri = \(sub.baseURL + "/inbox")") >= 1)

            // bob replies: the reply threads under the post on alice's node.
            let reply = try await sub.social.post(accountID: bob.id, .init(content: "<p>Hi alice</p>", inReplyToID: copy.id))
            try await eventually("the reply on hq") { try await hq.store.statuses.status(uri: reply.uri) != nil }
            let replyOnHQ = try #require(try await hq.store.statuses.status(uri: reply.uri))
            #expect(replyOnHQ.inReplyToID == post.id)
            #expect(replyOnHQ.mentions.map(\.uri) == [alice.uri])

            // bob likes and boosts: counted on hq.
            try await sub.social.like(accountID: bob.id, statusID: copy.id)
            let boost = try await sub.social.boost(accountID: bob.id, statusID: copy.id)
            // Boosting again is the same boost, not a second one.
            #expect(try await sub.social.boost(accountID: bob.id, statusID: copy.id).id == boost.id)
            try await eventually("like and boost counted on hq") {
                let counts = try await hq.store.statuses.counts(statusID: post.id)
                return counts.favourites == 1 && counts.reblogs == 1 && counts.replies == 1
            }
            // Undone: counted no more.
            try await sub.social.unlike(accountID: bob.id, statusID: copy.id)
            try await sub.social.unboost(accountID: bob.id, statusID: copy.id)
            try await eventually("like and boost undone on hq") {
                let counts = try await hq.store.statuses.counts(statusID: post.id)
                return counts.favourites == 0 && counts.reblogs == 0
            }

            // alice edits her post: sub sees the new text.
            try await hq.social.edit(accountID: alice.id, statusID: post.id, content: "<p>Hello from HQ (edited)</p>")
            try await eventually("the edit on sub") { try await sub.store.statuses.status(uri: post.uri)?.content == "<p>Hello from HQ (edited)</p>" }
            #expect(try await sub.store.statuses.status(uri: post.uri)?.editedAt != nil)

            // alice changes her name and profile fields: sub sees them (PropertyValue attachments).
            try await hq.social.updateProfile(
                accountID: alice.id,
                ProfileChange(displayName: "Alice at HQ", note: "<p>Ops</p>", fields: [ProfileField(name: "Team", value: "<p>Platform</p>", source: "Platform")]))
            try await eventually("the profile update on sub") { try await sub.store.accounts.account(uri: alice.uri)?.displayName == "Alice at HQ" }
            #expect(try await sub.store.accounts.account(uri: alice.uri)?.fields == [ProfileField(name: "Team", value: "<p>Platform</p>")])

            // alice pins the post, then unpins it: an Add and a Remove on her featured collection.
            let postOnSub = try #require(try await sub.store.statuses.status(uri: post.uri))
            try await hq.social.pin(accountID: alice.id, statusID: post.id)
            try await eventually("the pin on sub") { try await sub.store.statuses.pinnedStatuses(accountID: postOnSub.accountID).map(\.uri) == [post.uri] }
            try await hq.social.unpin(accountID: alice.id, statusID: post.id)
            try await eventually("the unpin on sub") { try await sub.store.statuses.pinnedStatuses(accountID: postOnSub.accountID).isEmpty }

            // alice deletes her post: gone on sub, and cannot come back.
            try await hq.social.delete(accountID: alice.id, statusID: post.id)
            try await eventually("the post deleted on sub") { try await sub.store.statuses.status(uri: post.uri) == nil }
            #expect(try await sub.store.statuses.isTombstoned(uri: post.uri))

            // bob unfollows: hq forgets the follow.
            try await sub.social.unfollow(accountID: bob.id, targetAccountID: follow.targetAccountID)
            try await eventually("the unfollow on hq") { try await hq.store.graph.followCounts(of: alice.id).followers == 0 }

            // Nothing was left undelivered.
            #expect(try await hq.count("SELECT count(*) FROM deliveries WHERE state <> 'delivered'") == 0)
            #expect(try await sub.count("SELECT count(*) FROM deliveries WHERE state <> 'delivered'") == 0)
            #expect(try await hq.count("SELECT count(*) FROM inbox_items WHERE state <> 'done'") == 0)
        }
    }

    @Test func blocksAndActorDeletesFromThePeer() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            try await eventually("following") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }
            let bobKey = try await sub.signingKey(bob)
            let inbox = "\(hq.baseURL)/inbox"
            func send(_ json: String) async throws -> Int {
                let body = Array(json.utf8)
                return try await RawHTTP.post(inbox, body: body, headers: try RawHTTP.signedHeaders(url: inbox, body: body, key: bobKey)).status
            }
            // bob blocks alice: the follow is severed on hq.
            #expect(try await send(#"{"id":"\#(bob.uri)#blocks/1","type":"Block","actor":"\#(bob.uri)","object":"\#(alice.uri)"}"#) == 202)
            try await eventually("the block on hq") { try await hq.store.graph.followCounts(of: alice.id).followers == 0 }
            let bobOnHQ = try #require(try await hq.store.accounts.account(uri: bob.uri))
            #expect(try await hq.store.graph.isBlocking(accountID: bobOnHQ.id, targetAccountID: alice.id))
            #expect(
                try await send(
                    #"{"id":"\#(bob.uri)#blocks/1/undo","type":"Undo","actor":"\#(bob.uri)","object":{"id":"\#(bob.uri)#blocks/1","type":"Block","actor":"\#(bob.uri)","object":"\#(alice.uri)"}}"#
                ) == 202)
            try await eventually("the unblock on hq") { try await hq.store.graph.isBlocking(accountID: bobOnHQ.id, targetAccountID: alice.id) == false }
            // An activity of a type Kith does not handle is kept and ignored.
            #expect(try await send(#"{"id":"\#(bob.uri)#emoji/1","type":"EmojiReact","actor":"\#(bob.uri)","object":"\#(alice.uri)"}"#) == 202)
            try await eventually("kept and done") {
                try await hq.count("SELECT count(*) FROM inbox_items WHERE activity_type = 'EmojiReact' AND state = 'done'") == 1
            }
            // Hostile HTML from a peer is sanitised before it is stored.
            let evil = #"{"id":"\#(bob.uri)/statuses/evil/activity","type":"Create","actor":"\#(bob.uri)","object":{"id":"\#(bob.uri)/statuses/evil","type":"Note","attributedTo":"\#(bob.uri)","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p onclick=\"x()\">hi<script>alert(1)</script><a href=\"javascript:alert(2)\">link</a></p>","summary":"<b>cw</b>"}}"#
            #expect(try await send(evil) == 202)
            try await eventually("the hostile post stored") { try await hq.store.statuses.status(uri: "\(bob.uri)/statuses/evil") != nil }
            let cleaned = try #require(try await hq.store.statuses.status(uri: "\(bob.uri)/statuses/evil"))
            #expect(cleaned.content == #"<p>hi<a rel="nofollow noopener noreferrer" target="_blank">link</a></p>"#)
            #expect(cleaned.spoilerText == "cw")

            // bob's account is deleted: hq removes him and his posts.
            let post = try await sub.social.post(accountID: bob.id, .init(content: "<p>bye</p>", mentions: [alice.uri]))
            try await eventually("bob's post on hq") { try await hq.store.statuses.status(uri: post.uri) != nil }
            #expect(try await send(#"{"id":"\#(bob.uri)#delete","type":"Delete","actor":"\#(bob.uri)","object":"\#(bob.uri)","to":["https://www.w3.org/ns/activitystreams#Public"]}"#) == 202)
            try await eventually("bob gone from hq") { try await hq.store.accounts.account(uri: bob.uri) == nil }
            #expect(try await hq.store.statuses.status(uri: post.uri) == nil)
            #expect(try await hq.store.statuses.isTombstoned(uri: post.uri))
        }
    }

    @Test func manualApprovalFlow() async throws {
        try await withTwoNodes { hq, sub in
            let carol = try await hq.createAccount("carol", locked: true)
            let dave = try await sub.createAccount("dave")
            let follow = try await sub.social.follow(accountID: dave.id, hq.acct("carol"))
            try await eventually("the request on hq") { try await hq.store.accounts.account(uri: dave.uri) != nil }
            let daveOnHQ = try #require(try await hq.store.accounts.account(uri: dave.uri))
            try await eventually("the request pending on hq") {
                try await hq.store.graph.findFollow(accountID: daveOnHQ.id, targetAccountID: carol.id)?.state == .pending
            }
            // Nothing is accepted until carol decides.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await sub.store.graph.findFollow(accountID: dave.id, targetAccountID: follow.targetAccountID)?.state == .pending)
            try await hq.social.authorizeFollowRequest(accountID: carol.id, fromAccountID: daveOnHQ.id)
            try await eventually("accepted on sub") {
                try await sub.store.graph.findFollow(accountID: dave.id, targetAccountID: follow.targetAccountID)?.state == .accepted
            }

            // A second requester is rejected: the follow disappears on both sides.
            let erin = try await sub.createAccount("erin")
            let second = try await sub.social.follow(accountID: erin.id, hq.acct("carol"))
            try await eventually("erin's request on hq") {
                guard let erinOnHQ = try await hq.store.accounts.account(uri: erin.uri) else { return false }
                return try await hq.store.graph.findFollow(accountID: erinOnHQ.id, targetAccountID: carol.id) != nil
            }
            let erinOnHQ = try #require(try await hq.store.accounts.account(uri: erin.uri))
            try await hq.social.rejectFollowRequest(accountID: carol.id, fromAccountID: erinOnHQ.id)
            try await eventually("rejected on sub") {
                try await sub.store.graph.findFollow(accountID: erin.id, targetAccountID: second.targetAccountID) == nil
            }
        }
    }

    @Test func deliveryWaitsForADownNodeAndSurvivesASenderRestart() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            try await eventually("following") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }

            // sub goes down; alice posts; the delivery fails and waits.
            await sub.stop()
            let post = try await hq.social.post(accountID: alice.id, .init(content: "<p>while you were out</p>"))
            try await eventually("a failed attempt recorded") {
                try await hq.count("SELECT count(*) FROM deliveries WHERE state = 'pending' AND attempts >= 1 AND last_error IS NOT NULL") == 1
            }
            // hq restarts too, then sub comes back: the delivery still arrives, once.
            await hq.stop()
            try await hq.start()
            try await sub.start()
            try await eventually("delivered after both restarts", timeout: .seconds(30)) { try await sub.store.statuses.status(uri: post.uri) != nil }
            try await eventually("marked delivered") {
                try await hq.count("SELECT count(*) FROM deliveries WHERE state = 'delivered'") >= 1
            }
            #expect(try await sub.count("SELECT count(*) FROM statuses WHERE uri = \(post.uri)") == 1)
        }
    }

    @Test func inboxRejectsBadRequestsAndStoresNothing() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let mallory = try await sub.createAccount("mallory")
            let bobKey = try await sub.signingKey(bob)
            let inbox = "\(hq.baseURL)/users/alice/inbox"
            func follow(_ actor: Account, id: String) -> [UInt8] {
                Array(#"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(id)","type":"Follow","actor":"\#(actor.uri)","object":"\#(alice.uri)"}"#.utf8)
            }
            func stored() async throws -> Int { try await hq.count("SELECT count(*) FROM inbox_items") }

            // A good one is accepted, and a repeat is accepted but stored and processed once.
            let good = follow(bob, id: "\(bob.uri)#follows/1")
            for _ in 0..<3 {
                let response = try await RawHTTP.post(inbox, body: good, headers: try RawHTTP.signedHeaders(url: inbox, body: good, key: bobKey))
                #expect(response.status == 202)
            }
            #expect(try await stored() == 1)
            try await eventually("processed") { try await hq.count("SELECT count(*) FROM inbox_items WHERE state = 'done'") == 1 }
            #expect(try await hq.count("SELECT count(*) FROM follows") == 1)
            #expect(try await hq.count("SELECT count(*) FROM activities WHERE type = 'Accept'") == 1)

            let body = follow(bob, id: "\(bob.uri)#follows/2")
            var cases: [(String, Int, HeaderFields, [UInt8])] = []
            cases.append(("unsigned", 401, ["Content-Type": "application/activity+json"], body))
            var wrongDigest = try RawHTTP.signedHeaders(url: inbox, body: body, key: bobKey)
            wrongDigest.set("Digest", BodyDigest.digestHeader(for: Array("{}".utf8)))
            cases.append(("wrong digest", 401, wrongDigest, body))
            let forgedKey = try SigningKey(keyId: bob.publicKeyID, privateKeyPEM: try RSAKeyPair.generate().privateKeyPEM)
            cases.append(("forged signature", 401, try RawHTTP.signedHeaders(url: inbox, body: body, key: forgedKey), body))
            cases.append(("stale", 401, try RawHTTP.signedHeaders(url: inbox, body: body, key: bobKey, now: Date().addingTimeInterval(-7200)), body))
            cases.append(("future", 401, try RawHTTP.signedHeaders(url: inbox, body: body, key: bobKey, now: Date().addingTimeInterval(7200)), body))
            let unknownKey = try SigningKey(keyId: "\(sub.baseURL)/users/nobody#main-key", privateKeyPEM: try RSAKeyPair.generate().privateKeyPEM)
            cases.append(("unknown key", 401, try RawHTTP.signedHeaders(url: inbox, body: body, key: unknownKey), body))
            let impersonation = follow(mallory, id: "\(mallory.uri)#follows/1")
            cases.append(("signed by another actor", 401, try RawHTTP.signedHeaders(url: inbox, body: impersonation, key: bobKey), impersonation))
            let otherPath = try RawHTTP.signedHeaders(url: "\(hq.baseURL)/inbox", body: body, key: bobKey)
            cases.append(("signed for another path", 401, otherPath, body))
            let garbage = Array("{not json".utf8)
            cases.append(("malformed JSON", 400, try RawHTTP.signedHeaders(url: inbox, body: garbage, key: bobKey), garbage))
            let big = Array(#"{"type":"Note","content":""#.utf8) + [UInt8](repeating: 0x61, count: 1_100_000) + Array(#""}"#.utf8)
            cases.append(("too large", 413, try RawHTTP.signedHeaders(url: inbox, body: big, key: bobKey), big))
            for (name, status, headers, payload) in cases {
                let response = try await RawHTTP.post(inbox, body: payload, headers: headers)
                #expect(response.status == status, "\(name): \(response.body)")
                #expect(response.body.contains("\"error\""), "\(name)")
            }
            let unknownInbox = try await RawHTTP.post(
                "\(hq.baseURL)/users/nobody/inbox", body: body, headers: try RawHTTP.signedHeaders(url: "\(hq.baseURL)/users/nobody/inbox", body: body, key: bobKey))
            #expect(unknownInbox.status == 404)
            #expect(try await stored() == 1)

            // A node that is not allowed: 403 and nothing stored, nothing fetched from it.
            let outsider = try await TestNode(name: "out")
            do {
                try await outsider.start()
                try await outsider.allow(hq)
                let eve = try await outsider.createAccount("eve")
                let eveBody = follow(eve, id: "\(eve.uri)#follows/1")
                let response = try await RawHTTP.post(
                    inbox, body: eveBody, headers: try RawHTTP.signedHeaders(url: inbox, body: eveBody, key: try await outsider.signingKey(eve)))
                #expect(response.status == 403)
                #expect(try await stored() == 1)
                #expect(try await hq.store.accounts.account(uri: eve.uri) == nil)
                // Its signed fetches get 403 too, before its key is fetched.
                let fetched = try await RawHTTP.get(alice.uri + "/outbox", as: try await outsider.signingKey(eve))
                #expect(fetched.status == 403)
                #expect(try await hq.store.accounts.account(uri: eve.uri) == nil)
                // Nor is anything delivered to it: a follow from hq to the outsider is refused.
                await #expect(throws: KithError.self) { try await hq.social.follow(accountID: alice.id, outsider.acct("eve")) }
            } catch {
                await outsider.remove()
                throw error
            }
            await outsider.remove()
        }
    }

    @Test func documentsOfPostsAndCollections() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let key = try await sub.signingKey(bob)
            var posts: [Status] = []
            for i in 0..<23 {
                posts.append(try await hq.social.post(accountID: alice.id, .init(content: "<p>post \(i)</p>")))
            }
            let hidden = try await hq.social.post(accountID: alice.id, .init(content: "<p>followers only</p>", visibility: .private))
            let local = try await hq.social.post(accountID: alice.id, .init(content: "<p>stays home</p>", localOnly: true))

            // Authorized fetch: unsigned requests get 401 (the actor alone comes in its minimal form).
            for url in [posts[0].uri, posts[0].uri + "/activity", alice.uri + "/outbox", alice.uri + "/followers", alice.uri + "/collections/featured"] {
                let unsigned = try await RawHTTP.get(url)
                #expect(unsigned.status == 401, "\(url)")
                #expect(unsigned.body.contains("signed"), "\(url)")
            }
            let minimal = try JSONValue.parse(Array(try await RawHTTP.get(alice.uri).body.utf8))
            #expect(minimal["publicKey"]?["publicKeyPem"]?.stringValue != nil)
            #expect(minimal["inbox"]?.stringValue == alice.inboxURI)
            #expect(minimal["name"] == nil && minimal["summary"] == nil && minimal["published"] == nil)
            let full = try JSONValue.parse(Array(try await RawHTTP.get(alice.uri, as: key).body.utf8))
            #expect(full["name"] != nil)
            let forged = try SigningKey(keyId: bob.publicKeyID, privateKeyPEM: try RSAKeyPair.generate().privateKeyPEM)
            #expect(try await RawHTTP.get(posts[0].uri, as: forged).status == 401)

            // A post and the activity that created it are dereferenceable.
            let note = try JSONValue.parse(Array(try await RawHTTP.get(posts[0].uri, as: key).body.utf8))
            let parsed = try ASPost(note)
            #expect(parsed.id == posts[0].uri)
            #expect(parsed.attributedTo == alice.uri)
            #expect(parsed.to == [ASPublic.id])
            #expect(parsed.content == "<p>post 0</p>")
            let create = try JSONValue.parse(Array(try await RawHTTP.get(posts[0].uri + "/activity", as: key).body.utf8))
            #expect(create["type"] == "Create")
            #expect(create["object"]?["id"]?.stringValue == posts[0].uri)
            // Followers-only: not to bob until he follows alice; local-only: never, to anyone.
            #expect(try await RawHTTP.get(hidden.uri, as: key).status == 404)
            #expect(try await RawHTTP.get(local.uri, as: key).status == 404)
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            try await eventually("bob follows alice") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }
            #expect(try await RawHTTP.get(hidden.uri, as: key).status == 200)
            #expect(try await RawHTTP.get(local.uri, as: key).status == 404)
            #expect(try await sub.store.statuses.status(uri: local.uri) == nil)
            // The outbox: 23 public posts (the local-only one not counted), pages of 20, newest first.
            let outbox = try JSONValue.parse(Array(try await RawHTTP.get(alice.uri + "/outbox", as: key).body.utf8))
            #expect(outbox["type"] == "OrderedCollection")
            #expect(outbox["totalItems"]?.numberValue == 23)
            let first = try JSONValue.parse(Array(try await RawHTTP.get(try #require(outbox["first"]?.stringValue), as: key).body.utf8))
            let items = first["orderedItems"]?.listValue ?? []
            #expect(items.count == 20)
            #expect(items.first?["object"]?["id"]?.stringValue == posts[22].uri)
            let next = try #require(first["next"]?.stringValue)
            let second = try JSONValue.parse(Array(try await RawHTTP.get(next, as: key).body.utf8))
            #expect((second["orderedItems"]?.listValue ?? []).count == 3)
            #expect(second["next"] == nil)
            #expect(second["prev"]?.stringValue != nil)
        }
    }

    @Test func aMissingParentIsFetchedToCompleteTheThread() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let amy = try await hq.createAccount("amy")
            let bob = try await sub.createAccount("bob")
            // bob follows amy only; alice's post never reaches sub.
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("amy"))
            try await eventually("following amy") { try await hq.store.graph.followCounts(of: amy.id).followers == 1 }
            let post = try await hq.social.post(accountID: alice.id, .init(content: "<p>the original</p>"))
            let reply = try await hq.social.post(accountID: amy.id, .init(content: "<p>a reply</p>", inReplyToID: post.id))
            try await eventually("the reply on sub") { try await sub.store.statuses.status(uri: reply.uri) != nil }
            // sub fetched the parent from hq to thread the reply.
            let parent = try #require(try await sub.store.statuses.status(uri: post.uri))
            #expect(parent.content == "<p>the original</p>")
            #expect(try await sub.store.statuses.status(uri: reply.uri)?.inReplyToID == parent.id)
            #expect(try await sub.store.accounts.account(uri: alice.uri) != nil)
        }
    }

    /// As Mastodon does, a reply that is not direct reaches the replied-to post's author,
    /// whether or not it mentions them and whether or not they follow the replier.
    @Test func aReplyReachesTheAuthorOfThePostItAnswers() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let a = ClientAPITests.API(node: hq, token: try await ClientAPITests().token(hq, alice))
            // bob posts; alice finds the post (nobody follows anybody) and answers without
            // naming bob, publicly and to her followers only.
            let post = try await sub.social.post(accountID: bob.id, .init(content: "<p>Lunch at noon?</p>"))
            let encoded = post.uri.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let found = try await a.get("/api/v2/search?q=\(encoded)&resolve=true").json?["statuses"]?.listValue.first
            let postOnHQ = try #require(found?["id"]?.stringValue)
            var replies: [String: String] = [:]
            for visibility in ["public", "unlisted", "private"] {
                let reply = try await a.post(
                    "/api/v1/statuses", #"{"status":"Yes, see you there","visibility":"\#(visibility)","in_reply_to_id":"\#(postOnHQ)"}"#)
                #expect(reply.status == 200, "\(reply.body)")
                replies[visibility] = try #require(reply.json?["uri"]?.stringValue)
            }
            for (visibility, uri) in replies.sorted(by: { $0.key < $1.key }) {
                try await eventually("the \(visibility) reply on bob's node") { try await sub.store.statuses.status(uri: uri) != nil }
                #expect(try await sub.store.statuses.status(uri: uri)?.inReplyToID == post.id, "\(visibility)")
            }
            // The followers-only reply reached bob, so he may read it.
            let privateReply = try #require(try await sub.store.statuses.status(uri: replies["private"]!))
            let bobAPI = ClientAPITests.API(node: sub, token: try await ClientAPITests().token(sub, bob))
            #expect(try await bobAPI.get("/api/v1/statuses/\(privateReply.id)").status == 200)
        }
    }

    @Test func refusedAndExhaustedDeliveriesDie() async throws {
        var settings = TestNode.testSettings
        settings.deliveryMaxAttempts = 2
        // A connection to a stopped node is retried by the HTTP client until the deadline.
        settings.requestTimeout = .seconds(1)
        try await withTwoNodes(hqSettings: settings) { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            try await eventually("following") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }

            // A direct message to an account its node no longer has: 404, dead at once.
            try await sub.pool.client.query("DELETE FROM accounts WHERE id = \(bob.id)", logger: TestDatabase.logger)
            _ = try await hq.social.post(accountID: alice.id, .init(content: "<p>psst</p>", visibility: .direct, mentions: [bob.uri]))
            try await eventually("refused delivery dead") {
                try await hq.store.queue.deliveries(state: .dead, limit: 10).contains { $0.lastStatus == 404 && $0.attempts == 1 }
            }
            // A node that stays down: retried, then dead with the last error kept.
            await sub.stop()
            _ = try await hq.social.post(accountID: alice.id, .init(content: "<p>anyone?</p>"))
            try await eventually("exhausted delivery dead", timeout: .seconds(30)) {
                try await hq.store.queue.deliveries(state: .dead, limit: 10).contains { $0.attempts == 2 && ($0.lastError ?? "").contains("gave up") }
            }
        }
    }

    /// The time from a post on one node to its arrival on the other, over 100 posts. A
    /// benchmark, not a test: run with KITH_BENCH=1 (scripts/bench); it prints the figures.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KITH_BENCH"] != nil))
    func postArrivalLatency() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            _ = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            try await eventually("following") { try await hq.store.graph.followCounts(of: alice.id).followers == 1 }
            var samples: [Double] = []
            for i in 0..<100 {
                let start = ContinuousClock.now
                let post = try await hq.social.post(accountID: alice.id, .init(content: "<p>\(i)</p>"))
                while try await sub.store.statuses.status(uri: post.uri) == nil {
                    guard ContinuousClock.now - start < .seconds(10) else { throw KithError(.unavailable, "post \(i) did not arrive") }
                    try await Task.sleep(for: .milliseconds(1))
                }
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
            samples.sort()
            let median = (samples[49] + samples[50]) / 2
            print("post-to-arrival over \(samples.count) posts: median \(String(format: "%.1f", median)) ms, p90 \(String(format: "%.1f", samples[89])) ms, max \(String(format: "%.1f", samples[99])) ms")
            #expect(samples.count == 100)
        }
    }
}
