import Core
import Domain
import Foundation
import Testing

/// One test per notification rule: who hears of what (Storage's SQL is held to the same rules
/// on PostgreSQL by NotificationSQLTests).
@Suite struct NotificationRulesTests {
    static func account(_ id: Int64, remote: Bool = false) -> Account {
        let uri = remote ? "https://sister.example/users/u\(id)" : "https://kith.example/users/u\(id)"
        return Account(
            id: id, username: "u\(id)", domain: remote ? "sister.example" : nil, displayName: "", uri: uri, url: nil, inboxURI: uri + "/inbox",
            sharedInboxURI: nil, publicKeyPEM: "", role: .user, email: nil, createdAt: Date())
    }

    let author = account(1)
    let local = account(2)
    let remote = account(3, remote: true)

    func post(by account: Account, _ visibility: Visibility = .public, mentions: [Account] = [], replyTo: String? = nil, boosting: Int64? = nil) -> Status {
        Status(
            id: 100, uri: account.uri + "/statuses/100", accountID: account.id, local: account.isLocal, inReplyToURI: replyTo,
            reblogOfID: boosting, content: "", visibility: visibility, mentions: mentions.map { Mention(uri: $0.uri, name: "@" + $0.acct) })
    }

    @Test func mentionsReachLocalAccountsButTheAuthor() {
        let status = post(by: author, mentions: [author, local, remote])
        #expect(NotificationRules.mention(local, in: status))
        #expect(!NotificationRules.mention(author, in: status), "not one's own post")
        #expect(!NotificationRules.mention(remote, in: status), "another node notifies its own")
        #expect(!NotificationRules.mention(Self.account(4), in: status), "not mentioned")
    }

    @Test func newPostsReachFollowersWhoAskedForThem() {
        let asked = Follow(id: 1, accountID: local.id, targetAccountID: author.id, uri: nil, state: .accepted, notify: true)
        #expect(NotificationRules.status(local, follow: asked, post: post(by: author), parentAuthorID: nil))
        #expect(!NotificationRules.status(local, follow: .init(id: 1, accountID: local.id, targetAccountID: author.id, uri: nil, state: .accepted), post: post(by: author), parentAuthorID: nil), "did not ask")
        #expect(!NotificationRules.status(local, follow: .init(id: 1, accountID: local.id, targetAccountID: author.id, uri: nil, state: .pending, notify: true), post: post(by: author), parentAuthorID: nil), "not accepted")
        #expect(!NotificationRules.status(local, follow: asked, post: post(by: author, .direct), parentAuthorID: nil))
        #expect(!NotificationRules.status(local, follow: asked, post: post(by: author, boosting: 7), parentAuthorID: nil))
        #expect(NotificationRules.status(local, follow: asked, post: post(by: author, replyTo: "x"), parentAuthorID: author.id), "within its own thread")
        #expect(!NotificationRules.status(local, follow: asked, post: post(by: author, replyTo: "x"), parentAuthorID: remote.id))
        #expect(!NotificationRules.status(local, follow: asked, post: post(by: author, replyTo: "x"), parentAuthorID: nil), "an unknown parent")
        let remoteAsked = Follow(id: 2, accountID: remote.id, targetAccountID: author.id, uri: nil, state: .accepted, notify: true)
        #expect(!NotificationRules.status(remote, follow: remoteAsked, post: post(by: author), parentAuthorID: nil))
    }

    @Test func boostsFavouritesAndEditsReachTheLocalAuthorButNotOfTheirOwn() {
        let original = post(by: author)
        #expect(NotificationRules.reblog(author, original: original, boost: post(by: local, boosting: original.id)))
        #expect(!NotificationRules.reblog(author, original: original, boost: post(by: author, boosting: original.id)))
        #expect(!NotificationRules.reblog(remote, original: post(by: remote), boost: post(by: local, boosting: 100)))
        #expect(NotificationRules.favourite(author, post: original, by: remote.id))
        #expect(!NotificationRules.favourite(author, post: original, by: author.id))
        #expect(!NotificationRules.favourite(local, post: original, by: remote.id), "not the author")
        #expect(NotificationRules.update(local, boost: post(by: local, boosting: original.id), edited: original))
        #expect(!NotificationRules.update(author, boost: post(by: author, boosting: original.id), edited: original))
        #expect(!NotificationRules.update(remote, boost: post(by: remote, boosting: original.id), edited: original))
    }

    @Test func followsReachTheLocalAccountAsAFollowOrARequest() {
        #expect(NotificationRules.follow(author, state: .accepted) == .follow)
        #expect(NotificationRules.follow(author, state: .pending) == .followRequest)
        #expect(NotificationRules.follow(remote, state: .accepted) == nil)
    }
}
