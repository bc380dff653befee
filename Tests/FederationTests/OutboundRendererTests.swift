import ActivityStreams
import Domain
import Federation
import Foundation
import InMemoryRepositories
import Testing

/// Each outbound renderer through `ActivityRenderer`, against repositories in memory: the JSON
/// each activity goes out as and the inboxes it goes to.
@Suite struct OutboundRendererTests {
    let store = InMemoryFederation()
    let renderer: ActivityRenderer
    static let renderers = OutboundRenderers([
        CreateRenderer(), UpdateRenderer(), DeleteRenderer(), FollowRenderer(), AcceptRenderer(), UndoRenderer(), LikeRenderer(),
        AnnounceRenderer(), FeaturedRenderer(), FlagRenderer(),
    ])

    init() {
        let node = NodeIdentity(baseURL: store.base, domain: "kith.test")
        renderer = ActivityRenderer(
            renderers: Self.renderers, context: OutboundContext(accounts: store, statuses: store, queue: store, node: node, keys: nil),
            graph: store, policy: DomainPolicyService(mode: .blocklist, repository: store))
    }

    func render(_ activity: OutgoingActivity) async throws -> (json: JSONValue, inboxes: [String]) {
        let published = try await store.publish(activity)
        let (payload, inboxes) = try await renderer.render(published)
        return (payload.isEmpty ? .null : try JSONValue.parse(Array(payload.utf8)), inboxes)
    }

    @Test func everyKindHasARenderer() {
        #expect(Self.renderers.kinds == Set(OutgoingActivity.Kind.allCases))
    }

    @Test func aReplyGoesToTheFollowersSharedInboxesAndTheRepliedToAuthor() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        let carol = store.remote("carol", on: "third.test")
        _ = try await store.upsertFollow(accountID: carol.id, targetAccountID: alice.id, uri: nil, state: .accepted, publish: nil)
        let parent = store.post(by: bob)
        var reply = store.post(by: alice, to: [ASPublic.id, alice.followersURI!])
        reply.inReplyToID = parent.id
        try await store.update(reply, publish: nil)
        let (json, inboxes) = try await render(OutgoingActivity(accountID: alice.id, kind: .create, statusID: reply.id))
        #expect(json["type"]?.stringValue == "Create" && json["actor"]?.stringValue == alice.uri)
        #expect(json["object"]?["id"]?.stringValue == reply.uri)
        #expect(inboxes == ["https://remote.test/inbox", "https://third.test/inbox"])
    }

    @Test func aDirectPostGoesToEachAddresseesOwnInboxOnly() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        let carol = store.remote("carol", on: "third.test")
        _ = try await store.upsertFollow(accountID: carol.id, targetAccountID: alice.id, uri: nil, state: .accepted, publish: nil)
        let dm = store.post(by: alice, visibility: .direct, to: [bob.uri])
        let (_, inboxes) = try await render(OutgoingActivity(accountID: alice.id, kind: .create, statusID: dm.id))
        #expect(inboxes == [bob.inboxURI])
    }

    @Test func aPostDeletedBeforeItWentOutIsNotSent() async throws {
        let alice = store.local("alice")
        let post = store.post(by: alice)
        try await store.delete(id: post.id, publish: nil)
        let (json, inboxes) = try await render(OutgoingActivity(accountID: alice.id, kind: .create, statusID: post.id))
        #expect(json == .null && inboxes.isEmpty)
    }

    @Test func followsAcceptsAndLikesGoToTheOtherPartyAlone() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        let follow = try await render(OutgoingActivity(accountID: alice.id, kind: .follow, targetAccountID: bob.id))
        #expect(follow.json["object"]?.stringValue == bob.uri && follow.inboxes == [bob.inboxURI])
        let accept = try await render(
            OutgoingActivity(
                accountID: alice.id, kind: .accept, targetAccountID: bob.id, relatedURI: "https://remote.test/f/1", relatedActorURI: bob.uri))
        #expect(accept.json["object"]?["type"]?.stringValue == "Follow" && accept.json["object"]?["object"]?.stringValue == alice.uri)
        #expect(accept.inboxes == [bob.inboxURI])
        let like = try await render(
            OutgoingActivity(accountID: alice.id, kind: .like, objectURI: "https://remote.test/p/1", targetAccountID: bob.id))
        #expect(like.json["object"]?.stringValue == "https://remote.test/p/1" && like.inboxes == [bob.inboxURI])
    }

    @Test func aReportGoesOutInTheNodesNameWithoutAddressing() async throws {
        let moderator = store.local("moderator")
        let bob = store.remote("bob")
        var flag = OutgoingActivity(accountID: moderator.id, kind: .flag, objectURI: bob.uri, targetAccountID: bob.id, to: [bob.uri])
        flag.objectURIs = ["https://remote.test/p/1"]
        flag.content = "spam"
        let (json, inboxes) = try await render(flag)
        #expect(json["actor"]?.stringValue == "https://kith.test/actor")
        #expect(json["to"] == nil && json["cc"] == nil && json["content"]?.stringValue == "spam")
        #expect(json["object"]?.listValue.compactMap(\.stringValue) == [bob.uri, "https://remote.test/p/1"])
        #expect(inboxes == [bob.sharedInboxURI!])
    }

    @Test func aProfileUpdateGoesToTheFollowers() async throws {
        let alice = store.local("alice")
        let bob = store.remote("bob")
        _ = try await store.upsertFollow(accountID: bob.id, targetAccountID: alice.id, uri: nil, state: .accepted, publish: nil)
        let (json, inboxes) = try await render(OutgoingActivity(accountID: alice.id, kind: .update))
        #expect(json["object"]?["id"]?.stringValue == alice.uri)
        #expect(inboxes == [bob.sharedInboxURI!])
    }

    @Test func nothingGoesToThisNodeOrToANodeItDoesNotFederateWith() async throws {
        let alice = store.local("alice")
        let dave = store.local("dave")
        let bob = store.remote("bob")
        let carol = store.remote("carol", on: "third.test")
        store.state.withLock { $0.allowed = ["remote.test"] }
        let closed = ActivityRenderer(
            renderers: Self.renderers,
            context: OutboundContext(accounts: store, statuses: store, queue: store, node: NodeIdentity(baseURL: store.base, domain: "kith.test"), keys: nil),
            graph: store, policy: DomainPolicyService(mode: .allowlist, repository: store))
        let post = store.post(by: alice, to: [ASPublic.id, dave.uri, bob.uri, carol.uri])
        let (_, inboxes) = try await closed.render(try await store.publish(OutgoingActivity(accountID: alice.id, kind: .create, statusID: post.id)))
        #expect(inboxes == [bob.sharedInboxURI!])
    }

    @Test func whatIsServedAtItsID() {
        let record = { (kind: OutgoingActivity.Kind, to: [String]) in OutgoingActivity(accountID: 1, kind: kind, to: to) }
        for kind in [OutgoingActivity.Kind.follow, .accept, .reject, .like, .update] {
            #expect(Self.renderers.isServable(record(kind, [])), "\(kind)")
        }
        for kind in [OutgoingActivity.Kind.block, .flag] {
            #expect(!Self.renderers.isServable(record(kind, [ASPublic.id])), "\(kind)")
        }
        for kind in [OutgoingActivity.Kind.create, .delete, .announce, .undo, .add, .remove] {
            #expect(Self.renderers.isServable(record(kind, [ASPublic.id])), "\(kind)")
            #expect(!Self.renderers.isServable(record(kind, ["https://kith.test/users/a/followers"])), "\(kind)")
        }
    }
}
