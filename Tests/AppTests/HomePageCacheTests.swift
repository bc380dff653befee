import ActivityStreams
import Domain
import Foundation
import KithTestSupport
import PostgresNIO
import Testing

/// Home pages and tokens kept in memory: served again while nothing they show changed; the
/// reader's own changes shown at once, others' within a moment, whether they came through the
/// API, from another process or by hand.
@Suite(.serialized, .timeLimit(.minutes(20))) struct HomePageCacheTests {
    typealias API = ClientAPITests.API

    struct Setup {
        let node: TestNode
        let alice: API
        let bob: API
        let carol: API
        let bobID: String
    }

    func withSetup(cacheMegabytes: Int = 64, _ body: @escaping @Sendable (Setup) async throws -> Void) async throws {
        try await withNodeGate {
            let node = try await TestNode(name: "cache", cacheMegabytes: cacheMegabytes)
            do {
                try await node.start()
                let tokens = ClientAPITests()
                let alice = API(node: node, token: try await tokens.token(node, try await node.createAccount("alice")))
                let bobAccount = try await node.createAccount("bob")
                let bob = API(node: node, token: try await tokens.token(node, bobAccount))
                let carol = API(node: node, token: try await tokens.token(node, try await node.createAccount("carol")))
                if node.runtime.pages != nil {
                    let clock = node.runtime.changes.clock
                    try await eventually("following the database's changes") { clock.isFollowing }
                }
                #expect(try await alice.post("/api/v1/accounts/\(bobAccount.id)/follow").json?["following"] == true)
                try await body(Setup(node: node, alice: alice, bob: bob, carol: carol, bobID: String(bobAccount.id)))
            } catch {
                await node.remove()
                throw error
            }
            await node.remove()
        }
    }

    func home(_ api: API) async throws -> [JSONValue] {
        let reply = try await api.get("/api/v1/timelines/home")
        #expect(reply.status == 200, "\(reply.body)")
        return reply.json?.listValue ?? []
    }

    @Test func aPageIsServedAgainUntilSomethingOnItChanges() async throws {
        try await withSetup { s in
            let pages = try #require(s.node.runtime.pages)
            let posted = try await s.bob.post("/api/v1/statuses", #"{"status":"first","visibility":"public"}"#)
            let postID = try #require(posted.json?["id"]?.stringValue)
            try await eventually("bob's post in alice's home", timeout: .seconds(5)) {
                try await home(s.alice).map { $0["id"]?.stringValue } == [postID]
            }

            // Nothing changed: the same page from memory.
            let before = pages.statistics.hits
            let again = try await s.alice.get("/api/v1/timelines/home")
            #expect(again.json?.listValue.map { $0["id"]?.stringValue } == [postID])
            #expect(again.headers["link"]?.contains("max_id=\(postID)") == true)
            #expect(pages.statistics.hits == before + 1)
            // /metrics reports it.
            let metrics = try await RawHTTP.send(.GET, s.node.baseURL + "/metrics", headers: [:]).body
            #expect(metrics.contains(#"kith_cache_hits{cache="pages"} \#(pages.statistics.hits)"#))
            #expect(metrics.contains(#"kith_cache_entries{cache="tokens"}"#))

            // alice's own actions show at once: a bookmark, a favourite, her own post.
            #expect(try await s.alice.post("/api/v1/statuses/\(postID)/bookmark").status == 200)
            #expect(try await home(s.alice).first?["bookmarked"] == true)
            #expect(try await s.alice.post("/api/v1/statuses/\(postID)/favourite").status == 200)
            let marked = try await home(s.alice).first
            #expect(marked?["favourited"] == true && marked?["favourites_count"] == 1)
            let own = try #require(try await s.alice.post("/api/v1/statuses", #"{"status":"mine"}"#).json?["id"]?.stringValue)
            #expect(try await home(s.alice).map { $0["id"]?.stringValue } == [own, postID])

            // Others' changes show within a moment (the cache's grace, a second): carol (whom
            // alice does not follow) favourites the post, bob posts again and renames himself.
            #expect(try await s.carol.post("/api/v1/statuses/\(postID)/favourite").status == 200)
            let second = try #require(try await s.bob.post("/api/v1/statuses", #"{"status":"second"}"#).json?["id"]?.stringValue)
            #expect(try await ClientAPIRelationsTests().patch(s.bob, "/api/v1/accounts/update_credentials", #"{"display_name":"Robert"}"#).status == 200)
            try await eventually("others' changes on alice's page", timeout: .seconds(5)) {
                let page = try await home(s.alice)
                return page.map { $0["id"]?.stringValue } == [second, own, postID] && page[0]["account"]?["display_name"] == "Robert"
                    && page[2]["favourites_count"] == 2
            }

            // Muting bob hides him at once; unmuting brings him back.
            #expect(try await s.alice.post("/api/v1/accounts/\(s.bobID)/mute").status == 200)
            #expect(try await home(s.alice).map { $0["id"]?.stringValue } == [own])
            #expect(try await s.alice.post("/api/v1/accounts/\(s.bobID)/unmute").status == 200)
            #expect(try await home(s.alice).count == 3)
            // bob deletes a post: gone within a moment.
            #expect(try await s.bob.delete("/api/v1/statuses/\(second)").status == 200)
            try await eventually("the deleted post gone", timeout: .seconds(5)) {
                try await home(s.alice).map { $0["id"]?.stringValue } == [own, postID]
            }
            // Unfollowing shows at once.
            #expect(try await s.alice.post("/api/v1/accounts/\(s.bobID)/unfollow").status == 200)
            #expect(try await home(s.alice).map { $0["id"]?.stringValue } == [own])
        }
    }

    func ids(_ api: API, _ path: String) async throws -> [String] {
        let reply = try await api.get(path)
        #expect(reply.status == 200, "\(path): \(reply.body)")
        return reply.json?.listValue.compactMap { $0["id"]?.stringValue } ?? []
    }

    /// The public, hashtag and account timelines and threads are kept like home: served again
    /// while nothing on them changed, the reader's own changes at once, others' within the grace.
    @Test func everyTimelineAndThreadIsServedFromMemoryAndFollowsChanges() async throws {
        try await withSetup { s in
            let pages = try #require(s.node.runtime.pages)
            let first = try #require(try await s.bob.post("/api/v1/statuses", #"{"status":"first #news"}"#).json?["id"]?.stringValue)
            let paths = [
                "/api/v1/timelines/public", "/api/v1/timelines/public?local=true", "/api/v1/timelines/tag/news",
                "/api/v1/accounts/\(s.bobID)/statuses", "/api/v1/accounts/\(s.bobID)/statuses?exclude_replies=true",
            ]
            for path in paths {
                #expect(try await ids(s.carol, path) == [first], "\(path)")
                let hits = pages.statistics.hits
                #expect(try await ids(s.carol, path) == [first], "\(path)")
                #expect(pages.statistics.hits == hits + 1, "\(path) served from memory")
            }
            // Another's new post shows within the grace on every timeline it belongs to: alice's
            // (nothing on carol's pages is hers) on the public and hashtag timelines, bob's own
            // on his account's.
            let publicPaths = Array(paths.prefix(3))
            let second = try #require(try await s.alice.post("/api/v1/statuses", #"{"status":"second #news"}"#).json?["id"]?.stringValue)
            for path in publicPaths {
                try await eventually("alice's post on \(path)", timeout: .seconds(5)) { try await ids(s.carol, path) == [second, first] }
            }
            let third = try #require(try await s.bob.post("/api/v1/statuses", #"{"status":"third"}"#).json?["id"]?.stringValue)
            for path in paths.dropFirst(3) {
                try await eventually("bob's post on \(path)", timeout: .seconds(5)) { try await ids(s.carol, path) == [third, first] }
            }
            // The reader's own post shows at once.
            let mine = try #require(try await s.carol.post("/api/v1/statuses", #"{"status":"mine #news"}"#).json?["id"]?.stringValue)
            #expect(try await ids(s.carol, "/api/v1/timelines/tag/news") == [mine, second, first])
            try await eventually("the public timeline", timeout: .seconds(5)) {
                try await ids(s.carol, "/api/v1/timelines/public") == [mine, third, second, first]
            }
            #expect(try await ids(s.carol, "/api/v1/timelines/public") == [mine, third, second, first])
            // Blocking bob hides him at once everywhere the reader looks.
            #expect(try await s.carol.post("/api/v1/accounts/\(s.bobID)/block").status == 200)
            #expect(try await ids(s.carol, "/api/v1/timelines/public") == [mine, second])
            #expect(try await ids(s.carol, "/api/v1/timelines/tag/news") == [mine, second])
            #expect(try await s.carol.post("/api/v1/accounts/\(s.bobID)/unblock").status == 200)
            #expect(try await ids(s.carol, "/api/v1/timelines/public") == [mine, third, second, first])

            // Each reader has their own page: bob's followers-only post is on alice's view of his
            // account (she follows him) and not on carol's.
            let followersOnly = try #require(
                try await s.bob.post("/api/v1/statuses", #"{"status":"friends only","visibility":"private"}"#).json?["id"]?.stringValue)
            try await eventually("on alice's view of bob", timeout: .seconds(5)) {
                try await ids(s.alice, "/api/v1/accounts/\(s.bobID)/statuses").first == followersOnly
            }
            #expect(try await ids(s.carol, "/api/v1/accounts/\(s.bobID)/statuses").contains(followersOnly) == false)
            #expect(try await ids(s.carol, "/api/v1/timelines/public").contains(followersOnly) == false)
            // A pin shows on the pinned page within the grace.
            #expect(try await ids(s.carol, "/api/v1/accounts/\(s.bobID)/statuses?pinned=true").isEmpty)
            #expect(try await s.bob.post("/api/v1/statuses/\(first)/pin").status == 200)
            try await eventually("the pin", timeout: .seconds(5)) {
                try await ids(s.carol, "/api/v1/accounts/\(s.bobID)/statuses?pinned=true") == [first]
            }

            // A thread: served again, and a new reply by another shows within the grace.
            @Sendable func descendants(_ api: API) async throws -> [String] {
                let reply = try await api.get("/api/v1/statuses/\(first)/context")
                #expect(reply.status == 200, "\(reply.body)")
                return reply.json?["descendants"]?.listValue.compactMap { $0["id"]?.stringValue } ?? []
            }
            #expect(try await descendants(s.carol).isEmpty)
            let hits = pages.statistics.hits
            #expect(try await descendants(s.carol).isEmpty)
            #expect(pages.statistics.hits == hits + 1)
            let answer = try #require(
                try await s.alice.post("/api/v1/statuses", #"{"status":"an answer","in_reply_to_id":"\#(first)"}"#).json?["id"]?.stringValue)
            try await eventually("alice's answer in the thread", timeout: .seconds(5)) { try await descendants(s.carol) == [answer] }
            // The reader's own reply at once; a deleted reply goes within the grace.
            let own = try #require(
                try await s.carol.post("/api/v1/statuses", #"{"status":"me too","in_reply_to_id":"\#(answer)"}"#).json?["id"]?.stringValue)
            #expect(try await descendants(s.carol) == [answer, own])
            #expect(try await s.alice.delete("/api/v1/statuses/\(answer)").status == 200)
            try await eventually("the deleted answer gone", timeout: .seconds(5)) { try await descendants(s.carol).contains(answer) == false }
        }
    }

    @Test func changesMadeOutsideTheAPIReachThePage() async throws {
        try await withSetup { s in
            let posted = try await s.bob.post("/api/v1/statuses", #"{"status":"original"}"#)
            let postID = try #require(posted.json?["id"].flatMap { $0.stringValue.flatMap(Int64.init) })
            #expect(try await home(s.alice).first?["content"]?.stringValue?.contains("original") == true)
            _ = try await home(s.alice)

            // As another process or an operator in psql would: the trigger's notification drops
            // the page within moments.
            try await s.node.execute("UPDATE statuses SET content = '<p>changed by hand</p>' WHERE id = \(postID)")
            try await eventually("the page shows the change", timeout: .seconds(5)) {
                try await home(s.alice).first?["content"] == "<p>changed by hand</p>"
            }

            // A token revoked by hand stops working.
            try await s.node.execute("UPDATE oauth_tokens SET revoked_at = now() WHERE account_id = (SELECT id FROM accounts WHERE username = 'carol')")
            try await eventually("the revoked token is refused", timeout: .seconds(5)) {
                try await s.carol.get("/api/v1/timelines/home").status == 401
            }
        }
    }

    @Test func changesAreFollowedAcrossLostConnections() async throws {
        try await withSetup { s in
            let changes = s.node.runtime.changes
            let posted = try await s.bob.post("/api/v1/statuses", #"{"status":"before"}"#)
            let postID = try #require(posted.json?["id"].flatMap { $0.stringValue.flatMap(Int64.init) })
            _ = try await home(s.alice)
            _ = try await home(s.alice)

            // Every connection of the node's pool is cut (as a database restart would).
            try await s.node.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            try await eventually("following again", timeout: .seconds(10)) { changes.clock.isFollowing }
            // (The pool may hand out a cut connection once more: tried until the update goes through.)
            try await eventually("the update made", timeout: .seconds(10)) {
                (try? await s.node.execute("UPDATE statuses SET content = '<p>after the cut</p>' WHERE id = \(postID)")) != nil
            }
            try await eventually("the page shows the change", timeout: .seconds(5)) {
                try await home(s.alice).first?["content"] == "<p>after the cut</p>"
            }
            // And the reader's own changes still show at once.
            #expect(try await s.alice.post("/api/v1/statuses/\(postID)/favourite").status == 200)
            #expect(try await home(s.alice).first?["favourited"] == true)
        }
    }

    @Test func withCachingOffEveryPageIsReadAnew() async throws {
        try await withSetup(cacheMegabytes: 0) { s in
            #expect(s.node.runtime.pages == nil && s.node.runtime.tokens == nil)
            let posted = try await s.bob.post("/api/v1/statuses", #"{"status":"plain"}"#)
            let postID = try #require(posted.json?["id"].flatMap { $0.stringValue.flatMap(Int64.init) })
            #expect(try await home(s.alice).count == 1)
            try await s.node.execute("UPDATE statuses SET content = '<p>at once</p>' WHERE id = \(postID)")
            #expect(try await home(s.alice).first?["content"] == "<p>at once</p>")
        }
    }
}
