import Domain
import Foundation

/// Finds actors by `user@domain` or URL, fetching remote ones when needed. Federation provides it.
public protocol ActorDirectory: Sendable {
    func resolve(_ reference: String) async throws -> Account
}

/// Fetches a remote post by its URL and stores it (with its author). Federation provides it.
public protocol PostResolver: Sendable {
    func resolvePost(url: String) async throws -> Status?
}

/// Told of each new post, local or from another node, once it is stored (groups Announce the
/// posts addressed to them).
public protocol PostListener: Sendable {
    func posted(_ status: Status) async throws
}

/// Decides follows of local accounts with rules of their own (groups).
public protocol FollowAdmission: Sendable {
    /// `.none` when `target` has no rules of its own; else the state a follow from `applicant`
    /// starts in, or nil to refuse it.
    func admission(target: Account, applicant: Account) async throws -> FollowState??
}

/// Told when an activity was recorded for delivery, so delivery starts at once.
public protocol DeliveryNotifier: Sendable {
    func activityRecorded() async
}

/// The local actions that federate: follow, post, reply, like, boost, delete, profile update.
/// Each changes the node's state and records the activity to deliver in the same transaction;
/// the federation layer renders and delivers it.
public struct SocialService: Sendable {
    let accounts: any RemoteAccountRepository
    let graph: any SocialGraphRepository
    let statuses: any StatusRepository
    let queue: any ActivityQueueRepository
    let directory: any ActorDirectory
    let notifier: (any DeliveryNotifier)?
    let maxPostLength: Int
    let listener: (any PostListener)?
    let admission: (any FollowAdmission)?

    public init(
        accounts: any RemoteAccountRepository, graph: any SocialGraphRepository, statuses: any StatusRepository,
        queue: any ActivityQueueRepository, directory: any ActorDirectory, notifier: (any DeliveryNotifier)?, maxPostLength: Int = 5000,
        listener: (any PostListener)? = nil, admission: (any FollowAdmission)? = nil
    ) {
        self.listener = listener
        self.admission = admission
        self.accounts = accounts
        self.graph = graph
        self.statuses = statuses
        self.queue = queue
        self.directory = directory
        self.notifier = notifier
        self.maxPostLength = maxPostLength
    }

    func localAccount(_ id: Int64) async throws -> Account {
        guard let account = try await accounts.account(id: id), account.isLocal else {
            throw KithError(.notFound, "no local account \(id)")
        }
        return account
    }

    func followersURI(_ account: Account) -> String { account.followersURI ?? account.uri + "/followers" }

    /// The post `statusID` (not a boost) when `account` may see it; 404 otherwise, for every
    /// action that names a post, whichever API it came through.
    func visiblePost(_ statusID: Int64, to account: Account) async throws -> Status {
        let status = try await VisibilityPolicy(graph: graph).require(try await statuses.status(id: statusID), viewer: account)
        guard status.reblogOfID == nil else { throw KithError(.notFound, "Record not found") }
        return status
    }

    // MARK: Follows

    /// Follows `reference` (`user@domain` or an actor URL). A remote follow stays pending until
    /// the other node accepts; a local one is accepted at once unless the account is locked.
    @discardableResult
    public func follow(accountID: Int64, _ reference: String) async throws -> Follow {
        let account = try await localAccount(accountID)
        let target = try await directory.resolve(reference)
        guard target.id != account.id else { throw KithError(.invalidInput, "an account cannot follow itself") }
        if try await graph.isBlocking(accountID: target.id, targetAccountID: account.id) {
            throw KithError(.forbidden, "\(target.acct) has blocked this account")
        }
        if target.isLocal {
            var state: FollowState = target.locked ? .pending : .accepted
            if let admission, case .some(let decided) = try await admission.admission(target: target, applicant: account) {
                guard let decided else { throw KithError(.forbidden, "\(target.acct) is joined by invitation only") }
                state = decided
            }
            return try await graph.upsertFollow(accountID: account.id, targetAccountID: target.id, uri: nil, state: state, publish: nil)
        }
        if let existing = try await graph.findFollow(accountID: account.id, targetAccountID: target.id) { return existing }
        let uri = "\(account.uri)#follows/\(try await statuses.nextID())"
        let follow = try await graph.upsertFollow(
            accountID: account.id, targetAccountID: target.id, uri: uri, state: .pending,
            publish: OutgoingActivity(uri: uri, accountID: account.id, kind: .follow, objectURI: target.uri, targetAccountID: target.id, to: [target.uri]))
        await notifier?.activityRecorded()
        return follow
    }

    /// Stops following (or withdraws a request); a remote account is sent Undo(Follow).
    public func unfollow(accountID: Int64, targetAccountID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let target = try await accounts.account(id: targetAccountID) else { throw KithError(.notFound, "no account \(targetAccountID)") }
        let existing = try await graph.findFollow(accountID: account.id, targetAccountID: target.id)
        let undo: OutgoingActivity? =
            target.isLocal
            ? nil
            : OutgoingActivity(
                accountID: account.id, kind: .undo, objectURI: target.uri, targetAccountID: target.id, relatedURI: existing?.uri,
                relatedActorURI: "Follow", to: [target.uri])
        if try await graph.removeFollow(accountID: account.id, targetAccountID: target.id, publish: undo) != nil, undo != nil {
            await notifier?.activityRecorded()
        }
    }

    /// Accepts a pending follow request to a locked account.
    public func authorizeFollowRequest(accountID: Int64, fromAccountID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let follow = try await graph.findFollow(accountID: fromAccountID, targetAccountID: account.id), follow.state == .pending else {
            throw KithError(.notFound, "no pending follow request from account \(fromAccountID)")
        }
        let follower = try await accounts.account(id: fromAccountID)
        let accept: OutgoingActivity? =
            (follower?.isLocal ?? true)
            ? nil
            : OutgoingActivity(
                accountID: account.id, kind: .accept, targetAccountID: fromAccountID, relatedURI: follow.uri,
                relatedActorURI: follower?.uri, to: follower.map { [$0.uri] } ?? [])
        try await graph.setFollowState(id: follow.id, state: .accepted, publish: accept)
        if accept != nil { await notifier?.activityRecorded() }
    }

    /// Refuses a pending follow request; a remote follower is sent Reject.
    public func rejectFollowRequest(accountID: Int64, fromAccountID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let follow = try await graph.findFollow(accountID: fromAccountID, targetAccountID: account.id), follow.state == .pending else {
            throw KithError(.notFound, "no pending follow request from account \(fromAccountID)")
        }
        let follower = try await accounts.account(id: fromAccountID)
        let reject: OutgoingActivity? =
            (follower?.isLocal ?? true)
            ? nil
            : OutgoingActivity(
                accountID: account.id, kind: .reject, targetAccountID: fromAccountID, relatedURI: follow.uri,
                relatedActorURI: follower?.uri, to: follower.map { [$0.uri] } ?? [])
        _ = try await graph.removeFollow(accountID: fromAccountID, targetAccountID: account.id, publish: reject)
        if reject != nil { await notifier?.activityRecorded() }
    }

    /// Blocks an account: follows both ways end; a remote account is sent Block.
    public func block(accountID: Int64, targetAccountID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let target = try await accounts.account(id: targetAccountID), target.id != account.id else {
            throw KithError(.notFound, "no account \(targetAccountID)")
        }
        let uri = "\(account.uri)#blocks/\(try await statuses.nextID())"
        try await graph.block(
            accountID: account.id, targetAccountID: target.id, uri: uri,
            publish: target.isLocal ? nil : OutgoingActivity(uri: uri, accountID: account.id, kind: .block, objectURI: target.uri, targetAccountID: target.id, to: [target.uri]))
        if !target.isLocal { await notifier?.activityRecorded() }
    }

    public func unblock(accountID: Int64, targetAccountID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let target = try await accounts.account(id: targetAccountID) else { throw KithError(.notFound, "no account \(targetAccountID)") }
        try await graph.unblock(
            accountID: account.id, targetAccountID: target.id,
            publish: target.isLocal
                ? nil
                : OutgoingActivity(accountID: account.id, kind: .undo, objectURI: target.uri, targetAccountID: target.id, relatedActorURI: "Block", to: [target.uri]))
        if !target.isLocal { await notifier?.activityRecorded() }
    }

    // MARK: Posts

    /// What a new post says. `content` is HTML (the client API turns text into it);
    /// `mentions` are actor references (`user@domain` or URLs) that are addressed.
    public struct NewPost: Sendable {
        public var content: String
        public var visibility: Visibility
        public var inReplyToID: Int64?
        public var mentions: [String]
        public var tags: [String]
        public var spoilerText: String
        public var sensitive: Bool
        public var language: String?
        /// Kept on this node: not delivered, not served to other nodes.
        public var localOnly: Bool

        public init(
            content: String, visibility: Visibility = .public, inReplyToID: Int64? = nil, mentions: [String] = [], tags: [String] = [],
            spoilerText: String = "", sensitive: Bool = false, language: String? = nil, localOnly: Bool = false
        ) {
            self.localOnly = localOnly
            self.content = content
            self.visibility = visibility
            self.inReplyToID = inReplyToID
            self.mentions = mentions
            self.tags = tags
            self.spoilerText = spoilerText
            self.sensitive = sensitive
            self.language = language
        }
    }

    /// Posts (or replies): stored, and a Create recorded for the author's followers, the
    /// mentioned actors and, for a reply, the parent's author.
    public func post(accountID: Int64, _ new: NewPost) async throws -> Status {
        let account = try await localAccount(accountID)
        guard !new.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw KithError(.invalidInput, "a post needs text")
        }
        guard new.content.count <= maxPostLength * 4 else {
            throw KithError(.invalidInput, "the post is longer than \(maxPostLength) characters")
        }
        var parent: Status?
        if let parentID = new.inReplyToID {
            parent = try await visiblePost(parentID, to: account)
        }
        var mentioned: [Account] = []
        for reference in new.mentions {
            mentioned.append(try await directory.resolve(reference))
        }
        if let parent, let parentAuthor = try await accounts.account(id: parent.accountID), parentAuthor.id != account.id,
            !mentioned.contains(where: { $0.id == parentAuthor.id })
        {
            mentioned.append(parentAuthor)
        }
        let id = try await statuses.nextID()
        let uri = "\(account.uri)/statuses/\(id)"
        let mentionURIs = mentioned.map(\.uri)
        let followers = followersURI(account)
        let (to, cc): ([String], [String])
        switch new.visibility {
        case .public: (to, cc) = (["https://www.w3.org/ns/activitystreams#Public"], [followers] + mentionURIs)
        case .unlisted: (to, cc) = ([followers], ["https://www.w3.org/ns/activitystreams#Public"] + mentionURIs)
        case .private: (to, cc) = ([followers], mentionURIs)
        case .direct: (to, cc) = (mentionURIs, [])
        }
        let status = Status(
            id: id, uri: uri, url: account.url.map { "\($0)/\(id)" } ?? uri, accountID: account.id, local: true, inReplyToID: parent?.id,
            inReplyToURI: parent?.uri, contextURI: parent?.contextURI ?? "\(uri)#context", content: new.content,
            spoilerText: new.spoilerText, sensitive: new.sensitive || !new.spoilerText.isEmpty, visibility: new.visibility,
            language: new.language, to: to, cc: cc, publishedAt: Date(),
            mentions: mentioned.map { Mention(uri: $0.uri, name: "@" + $0.acct) }, tags: new.tags,
            localOnly: new.localOnly || parent?.localOnly == true)  // a reply to a local-only post stays local too
        let stored = try await statuses.insert(
            status,
            publish: OutgoingActivity(
                uri: uri + "/activity", accountID: account.id, kind: .create, objectURI: uri, statusID: id, to: to, cc: cc,
                deliver: !status.localOnly)
        ).status
        await notifier?.activityRecorded()
        try await listener?.posted(stored)
        return stored
    }

    /// Edits one's own post; followers and addressees are sent Update with the new version.
    @discardableResult
    public func edit(
        accountID: Int64, statusID: Int64, content: String, spoilerText: String? = nil, sensitive: Bool? = nil, language: String? = nil,
        tags: [String]? = nil
    ) async throws -> Status {
        let account = try await localAccount(accountID)
        guard var status = try await statuses.status(id: statusID), status.accountID == account.id, status.reblogOfID == nil else {
            throw KithError(.notFound, "no post \(statusID) of this account")
        }
        guard !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw KithError(.invalidInput, "a post needs text") }
        guard content.count <= maxPostLength * 4 else { throw KithError(.invalidInput, "the post is longer than \(maxPostLength) characters") }
        status.content = content
        if let spoilerText { status.spoilerText = spoilerText }
        status.sensitive = (sensitive ?? status.sensitive) || !status.spoilerText.isEmpty
        if let language { status.language = language }
        if let tags { status.tags = tags }
        status.editedAt = Date()
        try await statuses.update(
            status,
            publish: OutgoingActivity(
                uri: "\(status.uri)#updates/\(Int(status.editedAt!.timeIntervalSince1970 * 1000))", accountID: account.id, kind: .update,
                objectURI: status.uri, statusID: status.id, to: status.to, cc: status.cc, deliver: !status.localOnly))
        await notifier?.activityRecorded()
        return try await statuses.status(id: statusID) ?? status
    }

    /// Deletes one's own post; followers and addressees are sent Delete, and so are those who
    /// boosted it and the followers of theirs known here, so that it disappears where boosts
    /// took it (their nodes forward it to the rest, Mastodon's `forward_for_reblogs`).
    public func delete(accountID: Int64, statusID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let status = try await statuses.status(id: statusID), status.accountID == account.id else {
            throw KithError(.notFound, "no post \(statusID) of this account")
        }
        if status.reblogOfID != nil {
            try await unboost(accountID: accountID, statusID: status.reblogOfID!)
            return
        }
        var delete = OutgoingActivity(
            uri: "\(status.uri)#delete", accountID: account.id, kind: .delete, objectURI: status.uri, to: status.to, cc: status.cc,
            deliver: !status.localOnly)
        delete.extraInboxes = try await boostReach(of: status)
        try await statuses.delete(id: status.id, publish: delete)
        await notifier?.activityRecorded()
    }

    /// The inboxes of those who boosted `status` (remote ones) and of their followers known here.
    func boostReach(of status: Status) async throws -> [String] {
        var inboxes = Set<String>()
        for booster in try await accounts.accounts(ids: try await statuses.boosterIDs(of: status.id)) where booster.id != status.accountID {
            if !booster.isLocal { inboxes.insert(booster.sharedInboxURI ?? booster.inboxURI) }
            inboxes.formUnion(try await graph.followerInboxes(of: booster.id))
        }
        return inboxes.sorted()
    }

    // MARK: Pins

    /// Mastodon's limit of pinned posts per account.
    public static let maxPins = 5

    /// Pins one's own post (not a boost, not a direct message, at most `maxPins`): an Add to
    /// the featured collection goes to the post's audience.
    public func pin(accountID: Int64, statusID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let status = try await statuses.status(id: statusID), status.reblogOfID == nil, status.accountID == account.id else {
            throw KithError(.unprocessable, "Validation failed: You can only pin your own posts")
        }
        guard status.visibility != .direct else { throw KithError(.unprocessable, "Validation failed: Direct messages cannot be pinned") }
        let pinned = try await statuses.pinnedStatuses(accountID: account.id)
        if pinned.contains(where: { $0.id == status.id }) { return }
        guard pinned.count < Self.maxPins else {
            throw KithError(.unprocessable, "Validation failed: You have already pinned the maximum number of posts (\(Self.maxPins))")
        }
        if try await statuses.pin(accountID: account.id, statusID: status.id, publish: featuredActivity(.add, status, account)) {
            await notifier?.activityRecorded()
        }
    }

    /// Unpins; a Remove from the featured collection goes to the post's audience.
    public func unpin(accountID: Int64, statusID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let status = try await statuses.status(id: statusID), status.accountID == account.id else {
            throw KithError(.notFound, "Record not found")
        }
        if try await statuses.unpin(accountID: account.id, statusID: status.id, publish: featuredActivity(.remove, status, account)) {
            await notifier?.activityRecorded()
        }
    }

    func featuredActivity(_ kind: OutgoingActivity.Kind, _ status: Status, _ account: Account) -> OutgoingActivity {
        let followers = followersURI(account)
        let publicly = status.visibility == .public || status.visibility == .unlisted
        return OutgoingActivity(
            accountID: account.id, kind: kind, objectURI: status.uri, statusID: status.id,
            relatedURI: account.featuredURI ?? account.uri + "/collections/featured",
            to: publicly ? ["https://www.w3.org/ns/activitystreams#Public"] : [followers], cc: publicly ? [followers] : [],
            deliver: !status.localOnly)
    }

    // MARK: Mutes

    /// Mutes an account for this viewer only (nothing federates); `duration` in seconds, nil or
    /// 0 for ever.
    public func mute(accountID: Int64, targetAccountID: Int64, notifications: Bool, duration: Int?) async throws {
        let account = try await localAccount(accountID)
        guard let target = try await accounts.account(id: targetAccountID), target.id != account.id else {
            throw KithError(.notFound, "Record not found")
        }
        let expiresAt = duration.flatMap { $0 > 0 ? Date().addingTimeInterval(TimeInterval($0)) : nil }
        try await graph.mute(accountID: account.id, targetAccountID: target.id, Mute(hideNotifications: notifications, expiresAt: expiresAt))
    }

    public func unmute(accountID: Int64, targetAccountID: Int64) async throws {
        let account = try await localAccount(accountID)
        try await graph.unmute(accountID: account.id, targetAccountID: targetAccountID)
    }

    // MARK: Likes and boosts

    public func like(accountID: Int64, statusID: Int64) async throws {
        let account = try await localAccount(accountID)
        let status = try await visiblePost(statusID, to: account)
        let author = try await accounts.account(id: status.accountID)
        let uri = "\(account.uri)#likes/\(try await statuses.nextID())"
        let remote = author.map { !$0.isLocal } ?? false
        let inserted = try await statuses.favourite(
            accountID: account.id, statusID: status.id, uri: uri,
            publish: remote
                ? OutgoingActivity(uri: uri, accountID: account.id, kind: .like, objectURI: status.uri, targetAccountID: author?.id, to: author.map { [$0.uri] } ?? [])
                : nil)
        if inserted && remote { await notifier?.activityRecorded() }
    }

    public func unlike(accountID: Int64, statusID: Int64) async throws {
        let account = try await localAccount(accountID)
        let status = try await existingPost(statusID)
        let author = try await accounts.account(id: status.accountID)
        let remote = author.map { !$0.isLocal } ?? false
        if try await statuses.unfavourite(
            accountID: account.id, statusID: status.id,
            publish: remote
                ? OutgoingActivity(
                    accountID: account.id, kind: .undo, objectURI: status.uri, targetAccountID: author?.id, relatedActorURI: "Like",
                    to: author.map { [$0.uri] } ?? [])
                : nil), remote
        {
            await notifier?.activityRecorded()
        }
    }

    /// Boosts a public or unlisted post: an Announce to one's followers and the post's author.
    @discardableResult
    public func boost(accountID: Int64, statusID: Int64) async throws -> Status {
        let account = try await localAccount(accountID)
        let status = try await visiblePost(statusID, to: account)
        guard status.visibility == .public || status.visibility == .unlisted else {
            throw KithError(.invalidInput, "only public and unlisted posts can be boosted")
        }
        guard let author = try await accounts.account(id: status.accountID) else { throw KithError(.notFound, "the post's author is gone") }
        if let existing = try await statuses.reblog(accountID: account.id, of: status.id) { return existing }
        let id = try await statuses.nextID()
        let uri = "\(account.uri)/statuses/\(id)/activity"
        let to = ["https://www.w3.org/ns/activitystreams#Public"]
        let cc = [author.uri, followersURI(account)]
        let reblog = Status(
            id: id, uri: uri, accountID: account.id, local: true, objectType: "Announce", reblogOfID: status.id, content: "",
            visibility: .public, to: to, cc: cc, localOnly: status.localOnly)  // a boost of a local-only post stays local
        let result = try await statuses.insert(
            reblog,
            publish: OutgoingActivity(
                uri: uri, accountID: account.id, kind: .announce, objectURI: status.uri, statusID: id, targetAccountID: author.id, to: to, cc: cc,
                deliver: !status.localOnly))
        await notifier?.activityRecorded()
        return result.status
    }

    public func unboost(accountID: Int64, statusID: Int64) async throws {
        let account = try await localAccount(accountID)
        guard let reblog = try await statuses.reblog(accountID: account.id, of: statusID) else { return }
        let original = try await statuses.status(id: statusID)
        try await statuses.delete(
            id: reblog.id,
            publish: OutgoingActivity(
                accountID: account.id, kind: .undo, objectURI: original?.uri, targetAccountID: original?.accountID, relatedURI: reblog.uri,
                relatedActorURI: "Announce", to: reblog.to, cc: reblog.cc, deliver: !reblog.localOnly))
        await notifier?.activityRecorded()
    }

    func existingPost(_ statusID: Int64) async throws -> Status {
        guard let status = try await statuses.status(id: statusID), status.reblogOfID == nil else {
            throw KithError(.notFound, "no post \(statusID)")
        }
        return status
    }

    // MARK: Profile

    /// Changes the profile and sends Update(Person) to followers.
    @discardableResult
    public func updateProfile(accountID: Int64, _ change: ProfileChange) async throws -> Account {
        let account = try await localAccount(accountID)
        if let displayName = change.displayName, displayName.count > 100 {
            throw KithError(.invalidInput, "the display name is longer than 100 characters")
        }
        if let note = change.note, note.count > 5000 { throw KithError(.invalidInput, "the profile text is longer than 5000 characters") }
        if let fields = change.fields {
            if fields.count > ProfileField.maxCount { throw KithError(.invalidInput, "a profile has at most \(ProfileField.maxCount) fields") }
            for field in fields where field.name.count > ProfileField.maxLength || (field.source ?? field.value).count > ProfileField.maxLength {
                throw KithError(.invalidInput, "a field's name and value are at most \(ProfileField.maxLength) characters each")
            }
        }
        let updated = try await accounts.updateLocalProfile(
            accountID: account.id, change,
            publish: OutgoingActivity(
                accountID: account.id, kind: .update, objectURI: account.uri, to: ["https://www.w3.org/ns/activitystreams#Public"],
                cc: [followersURI(account)]))
        await notifier?.activityRecorded()
        return updated
    }
}
