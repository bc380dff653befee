import ActivityStreams
import Core
import Domain
import InMemoryRepositories
import Testing

/// The one visibility rule, as a table: every visibility, local-only or not, against every kind
/// of viewer. The API, ActivityPub fetches, C2S and every action that names a post ask it.
@Suite struct VisibilityPolicyTests {
    enum Viewer: String, CaseIterable {
        case anonymous, author, localFollower, remoteFollower, pendingFollower, mentionedLocal, mentionedRemote, localStranger, remoteStranger
    }

    struct World {
        let store = InMemoryFederation()
        let author: Account
        let viewers: [Viewer: Account]

        init() {
            author = store.local("author")
            let localFollower = store.local("follower")
            let remoteFollower = store.remote("follower", on: "sister.test")
            let pending = store.remote("pending", on: "sister.test")
            viewers = [
                .author: author, .localFollower: localFollower, .remoteFollower: remoteFollower, .pendingFollower: pending,
                .mentionedLocal: store.local("mentioned"), .mentionedRemote: store.remote("mentioned", on: "sister.test"),
                .localStranger: store.local("stranger"), .remoteStranger: store.remote("stranger", on: "other.test"),
            ]
            store.state.withLock { state in
                for (follower, accepted) in [(localFollower, true), (remoteFollower, true), (pending, false)] {
                    let id = Int64(1000 + state.follows.count)
                    state.follows[id] = Follow(
                        id: id, accountID: follower.id, targetAccountID: author.id, uri: nil, state: accepted ? .accepted : .pending)
                }
            }
        }

        func post(_ visibility: Visibility, localOnly: Bool) -> Status {
            var status = store.post(by: author, visibility: visibility)
            status.localOnly = localOnly
            status.mentions = [viewers[.mentionedLocal]!, viewers[.mentionedRemote]!].map { Mention(uri: $0.uri, name: $0.acct) }
            return status
        }
    }

    /// Who sees what: the expected rows of the table (true: sees it).
    static func expected(_ visibility: Visibility, localOnly: Bool, _ viewer: Viewer) -> Bool {
        let local: Set<Viewer> = [.author, .localFollower, .mentionedLocal, .localStranger]
        if localOnly, !local.contains(viewer) { return false }
        switch visibility {
        case .public, .unlisted: return true
        case .private: return [.author, .localFollower, .remoteFollower, .mentionedLocal, .mentionedRemote].contains(viewer)
        case .direct: return [.author, .mentionedLocal, .mentionedRemote].contains(viewer)
        }
    }

    @Test(arguments: [Visibility.public, .unlisted, .private, .direct], [false, true])
    func everyViewerSeesExactlyWhatTheRuleSays(visibility: Visibility, localOnly: Bool) async throws {
        let world = World()
        let policy = VisibilityPolicy(graph: world.store)
        let status = world.post(visibility, localOnly: localOnly)
        for viewer in Viewer.allCases {
            let sees = try await policy.canSee(status, viewer: viewer == .anonymous ? nil : world.viewers[viewer])
            #expect(sees == Self.expected(visibility, localOnly: localOnly, viewer), "\(visibility), local-only \(localOnly): \(viewer)")
        }
    }

    @Test func whatCannotBeSeenIsNotFound() async throws {
        let world = World()
        let policy = VisibilityPolicy(graph: world.store)
        let direct = world.post(.direct, localOnly: false)
        await #expect(throws: KithError(.notFound, "Record not found")) {
            try await policy.require(direct, viewer: world.viewers[.localStranger])
        }
        await #expect(throws: KithError(.notFound, "Record not found")) { try await policy.require(nil, viewer: world.author) }
        #expect(try await policy.require(direct, viewer: world.viewers[.mentionedRemote]) == direct)
    }
}
