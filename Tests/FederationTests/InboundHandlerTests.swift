import ActivityStreams
import Domain
import Federation
import Foundation
import InMemoryRepositories
import Logging
import Testing

/// Each inbound verb's handler on its own, against repositories in memory: what it stores,
/// what it answers, and what it refuses (the whole-node tests cover the same verbs end to end
/// on PostgreSQL and real HTTP).
@Suite struct InboundHandlerTests {
    let store = InMemoryFederation()
    let directory: InMemoryDirectory
    let context: InboundContext

    init() {
        directory = InMemoryDirectory(store: store)
        let policy = DomainPolicyService(mode: .blocklist, repository: store)
        let posts = RemotePosts(accounts: store, statuses: store, resolver: directory, policy: policy, maxThreadDepth: 8, listener: nil)
        context = InboundContext(
            queue: store, accounts: store, graph: store, statuses: store, reports: store, resolver: directory, policy: policy, posts: posts,
            admission: nil, deliverySignal: nil, logger: Logger(label: "test"))
    }

    func activity(_ json: String) throws -> ASActivity {
        try ASActivity(JSONValue.parse(Array(json.utf8)))
    }

    func handle(_ handler: some InboundHandler, _ json: String, from actor: Account) async throws {
        try await handler.handle(try activity(json), from: actor, in: context)
    }

    // MARK: Follow, Accept, Reject, Block

    @Test func aFollowOfAnOpenAccountIsAcceptedAndAnswered() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        try await handle(
            FollowHandler(), #"{"id": "https://remote.test/follows/1", "type": "Follow", "actor": "\#(bob.uri)", "object": "\#(alice.uri)"}"#,
            from: bob)
        let follow = try #require(try await store.findFollow(accountID: bob.id, targetAccountID: alice.id))
        #expect(follow.state == .accepted && follow.uri == "https://remote.test/follows/1")
        let answers = store.read(\.published)
        #expect(answers.map(\.kind) == [.accept] && answers.first?.relatedURI == "https://remote.test/follows/1")
        #expect(answers.first?.to == [bob.uri])
    }

    @Test func aFollowOfALockedAccountWaitsAndABlockedFollowerIsRejected() async throws {
        let carol = store.local("carol", locked: true)
        let dave = store.local("dave")
        let bob = store.remote("bob")
        try await handle(
            FollowHandler(), #"{"id": "https://remote.test/follows/2", "type": "Follow", "actor": "\#(bob.uri)", "object": "\#(carol.uri)"}"#,
            from: bob)
        #expect(try await store.findFollow(accountID: bob.id, targetAccountID: carol.id)?.state == .pending)
        #expect(store.read(\.published).isEmpty, "nothing is answered before carol decides")

        try await store.block(accountID: dave.id, targetAccountID: bob.id, uri: nil, publish: nil)
        try await handle(
            FollowHandler(), #"{"id": "https://remote.test/follows/3", "type": "Follow", "actor": "\#(bob.uri)", "object": "\#(dave.uri)"}"#,
            from: bob)
        #expect(try await store.findFollow(accountID: bob.id, targetAccountID: dave.id) == nil)
        #expect(store.read(\.published).map(\.kind) == [.reject])
    }

    @Test func onlyTheFollowedAcceptsOrRejects() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        let mallory = store.remote("mallory", on: "evil.test")
        let follow = try await store.upsertFollow(
            accountID: alice.id, targetAccountID: bob.id, uri: "https://kith.test/follows/1", state: .pending, publish: nil)
        try await handle(
            AcceptHandler(), #"{"id": "https://evil.test/1", "type": "Accept", "actor": "\#(mallory.uri)", "object": "https://kith.test/follows/1"}"#,
            from: mallory)
        #expect(try await store.findFollow(uri: "https://kith.test/follows/1")?.state == .pending)
        // Named by the Follow's actor and object instead of its id.
        try await handle(
            AcceptHandler(),
            #"{"id": "https://remote.test/a/1", "type": "Accept", "actor": "\#(bob.uri)", "object": {"type": "Follow", "actor": "\#(alice.uri)", "object": "\#(bob.uri)"}}"#,
            from: bob)
        #expect(try await store.findFollow(uri: "https://kith.test/follows/1")?.state == .accepted)
        try await handle(
            AcceptHandler(), #"{"id": "https://remote.test/r/1", "type": "Reject", "actor": "\#(bob.uri)", "object": "\#(follow.uri!)"}"#,
            from: bob)
        #expect(try await store.findFollow(accountID: alice.id, targetAccountID: bob.id) == nil)
    }

    @Test func aBlockOfALocalAccountEndsTheirFollows() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        _ = try await store.upsertFollow(accountID: alice.id, targetAccountID: bob.id, uri: nil, state: .accepted, publish: nil)
        try await handle(
            BlockHandler(), #"{"id": "https://remote.test/b/1", "type": "Block", "actor": "\#(bob.uri)", "object": "\#(alice.uri)"}"#, from: bob)
        #expect(try await store.isBlocking(accountID: bob.id, targetAccountID: alice.id))
        #expect(try await store.findFollow(accountID: alice.id, targetAccountID: bob.id) == nil)
        // A block of a remote account is not this node's business.
        let carol = store.remote("carol", on: "third.test")
        try await handle(
            BlockHandler(), #"{"id": "https://remote.test/b/2", "type": "Block", "actor": "\#(bob.uri)", "object": "\#(carol.uri)"}"#, from: bob)
        #expect(try await !store.isBlocking(accountID: bob.id, targetAccountID: carol.id))
    }

    // MARK: Undo

    @Test func undoTakesBackOnlyTheActorsOwnActivities() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        let mallory = store.remote("mallory", on: "evil.test")
        let post = store.post(by: alice)
        _ = try await store.upsertFollow(accountID: bob.id, targetAccountID: alice.id, uri: "https://remote.test/f/1", state: .accepted, publish: nil)
        _ = try await store.favourite(accountID: bob.id, statusID: post.id, uri: "https://remote.test/l/1", publish: nil)
        let boost = try await store.insert(
            Status(uri: "https://remote.test/announce/1", accountID: bob.id, local: false, reblogOfID: post.id, content: "", visibility: .public),
            publish: nil
        ).status

        // Someone else's Undo of bob's follow (embedded with bob as its actor) changes nothing.
        try await handle(
            UndoHandler(),
            #"{"id": "https://evil.test/u/1", "type": "Undo", "actor": "\#(mallory.uri)", "object": {"id": "https://remote.test/f/1", "type": "Follow", "actor": "\#(bob.uri)", "object": "\#(alice.uri)"}}"#,
            from: mallory)
        #expect(try await store.findFollow(accountID: bob.id, targetAccountID: alice.id) != nil)

        try await handle(
            UndoHandler(),
            #"{"id": "https://remote.test/u/1", "type": "Undo", "actor": "\#(bob.uri)", "object": {"id": "https://remote.test/f/1", "type": "Follow", "actor": "\#(bob.uri)", "object": "\#(alice.uri)"}}"#,
            from: bob)
        #expect(try await store.findFollow(accountID: bob.id, targetAccountID: alice.id) == nil)
        // Bare ids: what they named is looked up.
        try await handle(UndoHandler(), #"{"id": "https://remote.test/u/2", "type": "Undo", "actor": "\#(bob.uri)", "object": "https://remote.test/l/1"}"#, from: bob)
        #expect(try await store.findFavourite(uri: "https://remote.test/l/1") == nil)
        try await handle(
            UndoHandler(), #"{"id": "https://remote.test/u/3", "type": "Undo", "actor": "\#(bob.uri)", "object": "https://remote.test/announce/1"}"#, from: bob)
        #expect(try await store.status(id: boost.id) == nil)
        #expect(try await store.status(id: post.id) != nil)
    }

    // MARK: Create, Update, Delete

    func note(_ id: String, by author: Account, inReplyTo: String? = nil, content: String = "hello") -> String {
        let reply = inReplyTo.map { #", "inReplyTo": "\#($0)""# } ?? ""
        return #"{"id": "\#(id)", "type": "Note", "attributedTo": "\#(author.uri)", "content": "<p>\#(content)</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"]\#(reply)}"#
    }

    @Test func aCreateStoresThePostAndFetchesItsMissingParent() async throws {
        let bob = store.remote("bob")
        directory.documents.withLock {
            $0["https://remote.test/users/bob/posts/parent"] = try! JSONValue.parse(Array(note("https://remote.test/users/bob/posts/parent", by: bob).utf8))
        }
        try await handle(
            CreateHandler(),
            #"{"id": "https://remote.test/c/1", "type": "Create", "actor": "\#(bob.uri)", "object": \#(note("https://remote.test/users/bob/posts/reply", by: bob, inReplyTo: "https://remote.test/users/bob/posts/parent", content: "<script>x</script>answer"))}"#,
            from: bob)
        let reply = try #require(try await store.status(uri: "https://remote.test/users/bob/posts/reply"))
        let parent = try #require(try await store.status(uri: "https://remote.test/users/bob/posts/parent"))
        #expect(reply.inReplyToID == parent.id && reply.visibility == .public && !reply.local)
        #expect(!reply.content.contains("<script>"), "remote HTML is sanitised")
    }

    @Test func aCreateOfAnotherActorsPostIsRefused() async throws {
        let bob = store.remote("bob")
        let carol = store.remote("carol")
        let mallory = store.remote("mallory", on: "evil.test")
        await #expect(throws: KithError.self) {
            try await handle(
                CreateHandler(),
                #"{"id": "https://remote.test/c/2", "type": "Create", "actor": "\#(bob.uri)", "object": \#(note("https://remote.test/users/carol/posts/1", by: carol))}"#,
                from: bob)
        }
        // Attributed to the actor, but its id on another node.
        await #expect(throws: KithError.self) {
            try await handle(
                CreateHandler(),
                #"{"id": "https://evil.test/c/3", "type": "Create", "actor": "\#(mallory.uri)", "object": \#(note("https://remote.test/users/bob/posts/9", by: mallory))}"#,
                from: mallory)
        }
        #expect(store.read(\.statuses).isEmpty)
    }

    @Test func anUpdateEditsOnlyTheActorsOwnPost() async throws {
        let bob = store.remote("bob")
        let carol = store.remote("carol")
        let bobs = store.post(by: bob)
        let carols = store.post(by: carol)
        try await handle(
            UpdateHandler(), #"{"id": "https://remote.test/u/1", "type": "Update", "actor": "\#(bob.uri)", "object": \#(note(bobs.uri, by: bob, content: "edited"))}"#,
            from: bob)
        #expect(try await store.status(id: bobs.id)?.content == "<p>edited</p>")
        #expect(try await store.status(id: bobs.id)?.editedAt != nil)
        try await handle(
            UpdateHandler(), #"{"id": "https://remote.test/u/2", "type": "Update", "actor": "\#(bob.uri)", "object": \#(note(carols.uri, by: bob, content: "hijacked"))}"#,
            from: bob)
        #expect(try await store.status(id: carols.id)?.content == carols.content)
    }

    @Test func aDeleteRemovesOnlyTheActorsOwnPostOrTheActor() async throws {
        let bob = store.remote("bob")
        let carol = store.remote("carol")
        let bobs = store.post(by: bob)
        let carols = store.post(by: carol)
        try await handle(DeleteHandler(), #"{"id": "https://remote.test/d/1", "type": "Delete", "actor": "\#(bob.uri)", "object": "\#(carols.uri)"}"#, from: bob)
        #expect(try await store.status(id: carols.id) != nil)
        try await handle(DeleteHandler(), #"{"id": "https://remote.test/d/2", "type": "Delete", "actor": "\#(bob.uri)", "object": "\#(bobs.uri)"}"#, from: bob)
        #expect(try await store.status(id: bobs.id) == nil)
        #expect(try await store.isTombstoned(uri: bobs.uri))
        try await handle(DeleteHandler(), #"{"id": "https://remote.test/d/3", "type": "Delete", "actor": "\#(carol.uri)", "object": "\#(carol.uri)"}"#, from: carol)
        #expect(try await store.account(uri: carol.uri) == nil)
        #expect(try await store.status(id: carols.id) == nil)
    }

    @Test func aSignedDeleteOfABoostedPostIsForwardedToTheBoostersFollowers() async throws {
        let bob = store.remote("bob")
        let alice = store.local("alice")
        let carol = store.remote("carol", on: "third.test")
        let post = store.post(by: bob)
        _ = try await store.insert(
            Status(uri: "https://kith.test/users/alice/statuses/b1", accountID: alice.id, local: true, reblogOfID: post.id, content: "", visibility: .public),
            publish: nil)
        _ = try await store.upsertFollow(accountID: carol.id, targetAccountID: alice.id, uri: nil, state: .accepted, publish: nil)
        let signed = #"{"id": "https://remote.test/d/9", "type": "Delete", "actor": "\#(bob.uri)", "object": "\#(post.uri)", "proof": {"type": "DataIntegrityProof"}}"#
        try await handle(DeleteHandler(), signed, from: bob)
        let forwarded = try #require(store.read(\.published).first)
        #expect(forwarded.kind == .delete && forwarded.accountID == alice.id)
        #expect(forwarded.extraInboxes == ["https://third.test/inbox"])
        #expect(forwarded.forwardedPayload?.contains("\"proof\"") == true, "sent on as it came")

        // Unsigned: deleted here, not forwarded (its receivers could not check it is bob's).
        let second = store.post(by: bob)
        _ = try await store.insert(
            Status(uri: "https://kith.test/users/alice/statuses/b2", accountID: alice.id, local: true, reblogOfID: second.id, content: "", visibility: .public),
            publish: nil)
        try await handle(DeleteHandler(), #"{"id": "https://remote.test/d/10", "type": "Delete", "actor": "\#(bob.uri)", "object": "\#(second.uri)"}"#, from: bob)
        #expect(try await store.status(id: second.id) == nil)
        #expect(store.read(\.published).count == 1)
    }

    // MARK: Like, Announce, Add/Remove, Flag

    @Test func aLikeOfAKnownPostIsAFavourite() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        let post = store.post(by: alice)
        try await handle(LikeHandler(), #"{"id": "https://remote.test/l/1", "type": "Like", "actor": "\#(bob.uri)", "object": "\#(post.uri)"}"#, from: bob)
        try await handle(LikeHandler(), #"{"id": "https://remote.test/l/2", "type": "Like", "actor": "\#(bob.uri)", "object": "https://kith.test/nothing"}"#, from: bob)
        #expect(store.read(\.favourites).map(\.statusID) == [post.id])
    }

    @Test func anAnnounceBoostsWhatItsAudienceMaySee() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        let open = store.post(by: alice)
        let followersOnly = store.post(by: alice, visibility: .private)
        try await handle(
            AnnounceHandler(), #"{"id": "https://remote.test/a/1", "type": "Announce", "actor": "\#(bob.uri)", "object": "\#(open.uri)", "to": ["https://www.w3.org/ns/activitystreams#Public"]}"#,
            from: bob)
        #expect(try await store.status(uri: "https://remote.test/a/1")?.reblogOfID == open.id)
        // A followers-only post of ours is not bob's to boost.
        try await handle(
            AnnounceHandler(), #"{"id": "https://remote.test/a/2", "type": "Announce", "actor": "\#(bob.uri)", "object": "\#(followersOnly.uri)"}"#, from: bob)
        #expect(try await store.status(uri: "https://remote.test/a/2") == nil)
        // An Announce whose id is not on the actor's node.
        try await handle(
            AnnounceHandler(), #"{"id": "https://evil.test/a/3", "type": "Announce", "actor": "\#(bob.uri)", "object": "\#(open.uri)"}"#, from: bob)
        #expect(try await store.status(uri: "https://evil.test/a/3") == nil)
    }

    @Test func addAndRemoveOnTheActorsFeaturedCollectionPinAndUnpin() async throws {
        let bob = store.remote("bob")
        let carol = store.remote("carol")
        let post = store.post(by: bob)
        let carols = store.post(by: carol)
        let featured = try #require(bob.featuredURI)
        try await handle(
            FeaturedHandler(), #"{"id": "https://remote.test/add/1", "type": "Add", "actor": "\#(bob.uri)", "object": "\#(post.uri)", "target": "\#(featured)"}"#, from: bob)
        try await handle(
            FeaturedHandler(), #"{"id": "https://remote.test/add/2", "type": "Add", "actor": "\#(bob.uri)", "object": "\#(carols.uri)", "target": "\#(featured)"}"#, from: bob)
        try await handle(
            FeaturedHandler(), #"{"id": "https://remote.test/add/3", "type": "Add", "actor": "\#(bob.uri)", "object": "\#(post.uri)", "target": "https://remote.test/other"}"#,
            from: bob)
        #expect(store.read(\.pins) == [[bob.id, post.id]])
        try await handle(
            FeaturedHandler(), #"{"id": "https://remote.test/rm/1", "type": "Remove", "actor": "\#(bob.uri)", "object": "\#(post.uri)", "target": "\#(featured)"}"#,
            from: bob)
        #expect(store.read(\.pins).isEmpty)
    }

    @Test func aFlagAboutALocalAccountBecomesAReport() async throws {
        let alice = store.local("alice")
        let post = store.post(by: alice)
        let node = store.remote("remote.test", on: "remote.test", type: "Application")
        try await handle(
            FlagHandler(),
            #"{"id": "https://remote.test/flag/1", "type": "Flag", "actor": "\#(node.uri)", "object": ["\#(alice.uri)", "\#(post.uri)"], "content": "<p>spam</p>"}"#,
            from: node)
        let report = try #require(store.read(\.reports).first)
        #expect(report.targetAccountID == alice.id && report.statusIDs == [post.id] && report.comment == "spam")
        // A Flag whose id is on another node than its sender's is nobody's report.
        try await handle(
            FlagHandler(), #"{"id": "https://evil.test/flag/2", "type": "Flag", "actor": "\#(node.uri)", "object": ["\#(alice.uri)"]}"#, from: node)
        #expect(store.read(\.reports).count == 1)
    }
}
