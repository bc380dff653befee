import Core
import Domain
import Foundation
import KithTestSupport
import PostgresNIO
import Storage
import Testing

/// Each notification fragment Storage writes (`NotificationSQL`) does what its rule in Core
/// (`NotificationRules`) says: for every account of a small node with local and remote
/// accounts, the notifications PostgreSQL wrote are exactly those the rule gives.
@Suite struct NotificationSQLTests {
    struct Node {
        let db: DatabasePool
        let store: PostgresFederationStore
        /// The author of the posts, three other local accounts and two remote ones.
        let author: Account
        let locals: [Account]
        let remotes: [Account]
        var everyone: [Account] { [author] + locals + remotes }

        func notified(_ type: NotificationType, statusID: Int64? = nil, from: Int64? = nil) async throws -> Set<Int64> {
            var ids = Set<Int64>()
            let rows = try await db.client.query(
                """
                SELECT account_id FROM notifications WHERE type = \(type.rawValue)
                  AND (\(statusID)::bigint IS NULL OR status_id = \(statusID)) AND (\(from)::bigint IS NULL OR from_account_id = \(from))
                """, logger: TestDatabase.logger)
            for try await id in rows.decode(Int64.self) { ids.insert(id) }
            return ids
        }

        func post(by account: Account, _ visibility: Visibility = .public, mentions: [Account] = [], replyTo parent: Status? = nil, boosting: Status? = nil)
            async throws -> Status
        {
            let id = try await store.statuses.nextID()
            let status = Status(
                id: id, uri: "\(account.uri)/statuses/\(id)", accountID: account.id, local: account.isLocal, inReplyToID: parent?.id,
                inReplyToURI: parent?.uri, reblogOfID: boosting?.id, content: boosting == nil ? "<p>post</p>" : "", visibility: visibility,
                mentions: mentions.map { Mention(uri: $0.uri, name: "@" + $0.acct) })
            return try await store.statuses.insert(status, publish: nil).status
        }
    }

    func withNode(_ name: String, _ body: @Sendable (Node) async throws -> Void) async throws {
        try await TestDatabase.with(name) { testDB in
            try await testDB.withDatabase { db in
                try await MigrationRunner(client: db.client, directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger).migrate()
                let repo = PostgresAccountRepository(client: db.client, logger: TestDatabase.logger)
                let store = PostgresFederationStore(client: db.client, logger: TestDatabase.logger, baseURL: "https://kith.example")
                var locals: [Account] = []
                for name in ["author", "lou", "lea", "lin"] {
                    locals.append(
                        try await repo.createLocal(
                            NewLocalAccount(
                                username: try Username(name), email: "\(name)@kith.example", role: .user, passwordHash: "$2b$12$hash",
                                publicKeyPEM: "-", privateKeyPEM: "-", baseURL: "https://kith.example")))
                }
                var remotes: [Account] = []
                for name in ["rae", "rob"] {
                    try await db.client.query(
                        """
                        INSERT INTO accounts (username, domain, uri, inbox_uri, public_key_id, public_key_pem)
                        VALUES (\(name), 'sister.example', \("https://sister.example/users/\(name)"), \("https://sister.example/users/\(name)/inbox"),
                            \("https://sister.example/users/\(name)#main-key"), '-')
                        """, logger: TestDatabase.logger)
                    remotes.append(try #require(try await store.accounts.account(uri: "https://sister.example/users/\(name)")))
                }
                try await body(Node(db: db, store: store, author: locals[0], locals: Array(locals.dropFirst()), remotes: remotes))
            }
        }
    }

    @Test func mention() async throws {
        try await withNode("notify_mention") { node in
            let post = try await node.post(by: node.author, mentions: [node.author, node.locals[0], node.locals[1], node.remotes[0]])
            let expected = Set(node.everyone.filter { NotificationRules.mention($0, in: post) }.map(\.id))
            #expect(expected == [node.locals[0].id, node.locals[1].id], "the rule itself")
            #expect(try await node.notified(.mention, statusID: post.id) == expected)
        }
    }

    @Test func status() async throws {
        try await withNode("notify_status") { node in
            let (author, lou, lea, lin, rae) = (node.author, node.locals[0], node.locals[1], node.locals[2], node.remotes[0])
            // lou and rae asked to hear of the author's posts; lea asked but waits for approval; lin did not ask.
            for (follower, state, notify) in [(lou, FollowState.accepted, true), (rae, .accepted, true), (lea, .pending, true), (lin, .accepted, false)] {
                _ = try await node.store.graph.upsertFollow(accountID: follower.id, targetAccountID: author.id, uri: nil, state: state, publish: nil)
                try await node.store.graph.setNotify(accountID: follower.id, targetAccountID: author.id, notify: notify)
            }
            let others = try await node.post(by: rae)
            let own = try await node.post(by: author)
            let posts = [
                own, try await node.post(by: author, .direct, mentions: [lou]), try await node.post(by: author, replyTo: own),
                try await node.post(by: author, replyTo: others), try await node.post(by: author, boosting: others),
                try await node.post(by: author, .private),
            ]
            var expectedAny = false
            for post in posts {
                var parentAuthor: Int64?
                if let uri = post.inReplyToURI { parentAuthor = try await node.store.statuses.status(uri: uri)?.accountID }
                var expected = Set<Int64>()
                for account in node.everyone {
                    if let follow = try await node.store.graph.findFollow(accountID: account.id, targetAccountID: author.id),
                        NotificationRules.status(account, follow: follow, post: post, parentAuthorID: parentAuthor)
                    {
                        expected.insert(account.id)
                    }
                }
                expectedAny = expectedAny || !expected.isEmpty
                #expect(try await node.notified(.status, statusID: post.id) == expected, "\(post.visibility) reply:\(post.inReplyToURI != nil) boost:\(post.reblogOfID != nil)")
            }
            #expect(expectedAny)
            #expect(try await node.notified(.status, statusID: own.id) == [lou.id], "the rule itself")
        }
    }

    @Test func reblog() async throws {
        try await withNode("notify_reblog") { node in
            let lousPost = try await node.post(by: node.locals[0])
            let authorsPost = try await node.post(by: node.author)
            let raesPost = try await node.post(by: node.remotes[0])
            for (original, booster) in [(lousPost, node.author), (lousPost, node.remotes[1]), (authorsPost, node.author), (raesPost, node.author)] {
                let boost = try await node.post(by: booster, boosting: original)
                let expected = Set(node.everyone.filter { NotificationRules.reblog($0, original: original, boost: boost) }.map(\.id))
                #expect(try await node.notified(.reblog, statusID: original.id, from: booster.id) == expected)
            }
            #expect(try await node.notified(.reblog) == [node.locals[0].id], "the rule itself")
        }
    }

    @Test func favourite() async throws {
        try await withNode("notify_favourite") { node in
            let authorsPost = try await node.post(by: node.author)
            let raesPost = try await node.post(by: node.remotes[0])
            for (post, fan) in [(authorsPost, node.locals[0]), (authorsPost, node.remotes[1]), (authorsPost, node.author), (raesPost, node.locals[1])] {
                _ = try await node.store.statuses.favourite(accountID: fan.id, statusID: post.id, uri: nil, publish: nil)
                let expected = Set(node.everyone.filter { NotificationRules.favourite($0, post: post, by: fan.id) }.map(\.id))
                #expect(try await node.notified(.favourite, statusID: post.id, from: fan.id) == expected)
            }
            #expect(try await node.notified(.favourite) == [node.author.id], "the rule itself")
        }
    }

    @Test func followAndFollowRequest() async throws {
        try await withNode("notify_follow") { node in
            for (follower, target, state) in [
                (node.locals[0], node.author, FollowState.accepted), (node.remotes[0], node.author, .pending), (node.author, node.remotes[1], .accepted),
            ] {
                _ = try await node.store.graph.upsertFollow(accountID: follower.id, targetAccountID: target.id, uri: nil, state: state, publish: nil)
                for type in [NotificationType.follow, .followRequest] {
                    let expected: Set<Int64> = NotificationRules.follow(target, state: state) == type ? [target.id] : []
                    #expect(try await node.notified(type, from: follower.id) == expected, "\(type) of \(target.username) by \(follower.username)")
                }
            }
            #expect(try await node.notified(.follow) == [node.author.id], "the rule itself")
            #expect(try await node.notified(.followRequest) == [node.author.id])
        }
    }

    @Test func update() async throws {
        try await withNode("notify_update") { node in
            var post = try await node.post(by: node.author)
            var boosts: [Status] = []
            for booster in [node.locals[0], node.locals[1], node.remotes[0], node.author] {
                boosts.append(try await node.post(by: booster, boosting: post))
            }
            post.content = "<p>edited</p>"
            try await node.store.statuses.update(post, publish: nil)
            var expected = Set<Int64>()
            for account in node.everyone where boosts.contains(where: { NotificationRules.update(account, boost: $0, edited: post) }) {
                expected.insert(account.id)
            }
            #expect(expected == [node.locals[0].id, node.locals[1].id], "the rule itself")
            #expect(try await node.notified(.update, statusID: post.id) == expected)
        }
    }
}
