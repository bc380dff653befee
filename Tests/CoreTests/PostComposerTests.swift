import ActivityStreams
import Core
import Domain
import InMemoryRepositories
import Testing

/// The one way text becomes a post, for the Mastodon API and C2S alike.
@Suite struct PostComposerTests {
    /// Finds accounts known to the store by `user@domain` (local ones by `user@kith.test`) or URI.
    struct Directory: ActorDirectory {
        let store: InMemoryFederation

        func resolve(_ reference: String) async throws -> Account {
            let found = store.read { state in
                state.accounts.values.first { account in
                    account.uri == reference || "\(account.username)@\(account.domain ?? "kith.test")" == reference.lowercased()
                }
            }
            guard let found else { throw KithError(.notFound, "no account \(reference)") }
            return found
        }
    }

    let store = InMemoryFederation()
    let composer: PostComposer
    let author: Account

    init() {
        let social = SocialService(
            accounts: store, graph: store, statuses: store, queue: store, directory: Directory(store: store), notifier: nil)
        composer = PostComposer(
            social: social, statuses: store, directory: Directory(store: store), node: NodeIdentity(baseURL: store.base, domain: "kith.test"),
            maxPostLength: 80)
        author = store.local("alice")
    }

    @Test func textIsFormattedAndItsMentionsAddressed() async throws {
        let bob = store.remote("bob", on: "sister.test")
        let carol = store.local("carol")
        let status = try await composer.compose(.init(text: "Hi @bob@sister.test, @carol and @nobody #Kith https://example.org"), by: author)
        #expect(status.content.contains(#"href="\#(bob.uri)""#) && status.content.contains(#"href="\#(carol.uri)""#))
        #expect(status.content.contains("@nobody") && !status.content.contains("nobody</a>"), "an unknown account stays text")
        #expect(status.content.contains(#"href="https://example.org""#))
        #expect(status.tags == ["kith"])
        #expect(Set(status.mentions.map(\.uri)) == [bob.uri, carol.uri])
        #expect(status.to == [ASPublic.id] && Set(status.cc) == [author.followersURI!, bob.uri, carol.uri])
        #expect(store.read(\.published).map(\.kind) == [.create])
    }

    @Test func blankOrTooLongIsRefusedAsMastodonRefusesIt() async throws {
        await #expect(throws: KithError(.unprocessable, "Validation failed: Text can't be blank")) {
            try await composer.compose(.init(text: "  \n "), by: author)
        }
        await #expect(throws: KithError(.unprocessable, "Validation failed: Text character limit of 80 exceeded")) {
            try await composer.compose(.init(text: String(repeating: "a", count: 81)), by: author)
        }
        #expect(store.read(\.statuses).isEmpty)
    }

    @Test func aReplyNeedsAParentItsAuthorCanSee() async throws {
        let bob = store.remote("bob", on: "sister.test")
        let open = store.post(by: bob)
        let reply = try await composer.compose(.init(text: "Agreed", inReplyTo: .uri(open.uri)), by: author)
        #expect(reply.inReplyToID == open.id && reply.mentions.map(\.uri) == [bob.uri], "the parent's author is addressed")
        let byID = try await composer.compose(.init(text: "Again", inReplyTo: .id(open.id)), by: author)
        #expect(byID.inReplyToID == open.id)

        let followersOnly = store.post(by: bob, visibility: .private)
        await #expect(throws: KithError(.notFound, "Record not found")) {
            try await composer.compose(.init(text: "Peek", inReplyTo: .id(followersOnly.id)), by: author)
        }
        await #expect(throws: KithError(.notFound, "Record not found")) {
            try await composer.compose(.init(text: "Peek", inReplyTo: .uri("https://sister.test/nothing")), by: author)
        }
        #expect(store.read { $0.statuses.values.filter { $0.accountID == author.id }.count } == 2)
    }

    @Test func aReplyToALocalOnlyPostStaysLocal() async throws {
        let carol = store.local("carol")
        var local = store.post(by: carol)
        local.localOnly = true
        try await store.update(local, publish: nil)
        let reply = try await composer.compose(.init(text: "Inside only", inReplyTo: .id(local.id)), by: author)
        #expect(reply.localOnly)
        #expect(store.read(\.published).last?.deliver == false)
    }

    @Test func addresseesBeyondTheTextAreResolvedButNotTheAuthor() async throws {
        let bob = store.remote("bob", on: "sister.test")
        let status = try await composer.compose(
            .init(text: "For you", visibility: .direct, addressees: [bob.uri, author.uri, "https://nowhere.test/x"]), by: author)
        #expect(status.mentions.map(\.uri) == [bob.uri] && status.to == [bob.uri])
    }

    @Test func anEditKeepsTheMentionsAndFollowsTheNewText() async throws {
        let bob = store.remote("bob", on: "sister.test")
        let status = try await composer.compose(.init(text: "Hi @bob@sister.test #old"), by: author)
        let edited = try await composer.edit(status, text: "Hi again @bob #new", spoilerText: nil, sensitive: nil, language: nil, by: author)
        #expect(edited.tags == ["new"] && edited.content.contains(#"href="\#(bob.uri)""#))
        #expect(edited.mentions.map(\.uri) == [bob.uri] && edited.editedAt != nil)
        await #expect(throws: KithError(.unprocessable, "Validation failed: Text can't be blank")) {
            try await composer.edit(status, text: "", spoilerText: nil, sensitive: nil, language: nil, by: author)
        }
    }
}
