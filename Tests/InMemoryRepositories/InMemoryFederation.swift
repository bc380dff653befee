import ActivityStreams
import Domain
import Foundation
import Synchronization

/// Kith's repositories in memory: enough of each to test a rule, a handler or a renderer on
/// its own without PostgreSQL (the whole-node tests run on the real one). What those never call
/// throws `NotInMemory`.
public final class InMemoryFederation: Sendable {
    public struct NotInMemory: Error {}

    public struct State {
        public var nextID: Int64 = 1
        public var accounts: [Int64: Account] = [:]
        public var statuses: [Int64: Status] = [:]
        public var tombstones: Set<String> = []
        public var follows: [Int64: Follow] = [:]
        public var blocks: Set<[Int64]> = []
        public var favourites: [(accountID: Int64, statusID: Int64, uri: String?)] = []
        public var pins: Set<[Int64]> = []
        public var reports: [Report] = []
        /// Activities recorded for delivery, with a repository call or on their own.
        public var published: [OutgoingActivity] = []
        public var allowed: [String] = []
    }

    public let state = Mutex(State())
    public let base = "https://kith.test"

    public init() {}

    public func read<T: Sendable>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    private func newID(_ state: inout State) -> Int64 {
        defer { state.nextID += 1 }
        return state.nextID
    }

    /// A local account on `https://kith.test`.
    @discardableResult
    public func local(_ username: String, locked: Bool = false) -> Account {
        state.withLock { state in
            let uri = "\(base)/users/\(username)"
            var account = Account(
                id: newID(&state), username: username, domain: nil, displayName: username, uri: uri, url: nil, inboxURI: uri + "/inbox",
                sharedInboxURI: base + "/inbox", publicKeyPEM: "", role: .user, email: nil, createdAt: Date())
            account.locked = locked
            account.followersURI = uri + "/followers"
            account.featuredURI = uri + "/collections/featured"
            state.accounts[account.id] = account
            return account
        }
    }

    /// A remote account on `host`, known here.
    @discardableResult
    public func remote(_ username: String, on host: String = "remote.test", type: String = "Person") -> Account {
        state.withLock { state in
            let uri = "https://\(host)/users/\(username)"
            var account = Account(
                id: newID(&state), username: username, domain: host, displayName: username, actorType: type, uri: uri, url: nil,
                inboxURI: uri + "/inbox", sharedInboxURI: "https://\(host)/inbox", publicKeyPEM: "", role: .user, email: nil, createdAt: Date())
            account.followersURI = uri + "/followers"
            account.featuredURI = uri + "/collections/featured"
            state.accounts[account.id] = account
            return account
        }
    }

    /// A stored post.
    @discardableResult
    public func post(by author: Account, uri: String? = nil, visibility: Visibility = .public, to: [String]? = nil) -> Status {
        state.withLock { state in
            let id = newID(&state)
            let uri = uri ?? (author.isLocal ? "\(author.uri)/statuses/\(id)" : "\(author.uri)/posts/\(id)")
            let status = Status(
                id: id, uri: uri, accountID: author.id, local: author.isLocal, content: "<p>post \(id)</p>", visibility: visibility,
                to: to ?? (visibility == .public ? [ASPublic.id] : [author.followersURI ?? ""]))
            state.statuses[id] = status
            return status
        }
    }

    private func record(_ activity: OutgoingActivity?, _ state: inout State) {
        if let activity { state.published.append(activity) }
    }
}

extension InMemoryFederation: RemoteAccountRepository {
    public func account(id: Int64) async throws -> Account? { read { $0.accounts[id] } }
    public func accounts(ids: [Int64]) async throws -> [Account] { read { state in ids.compactMap { state.accounts[$0] } } }
    public func account(uri: String) async throws -> Account? { read { $0.accounts.values.first { $0.uri == uri } } }
    public func accounts(uris: [String]) async throws -> [Account] { read { $0.accounts.values.filter { uris.contains($0.uri) } } }
    public func account(publicKeyID: String) async throws -> Account? { throw NotInMemory() }
    public func remoteAccount(username: String, domain: String) async throws -> Account? { throw NotInMemory() }
    public func fetchedAt(uri: String) async throws -> Date? { Date() }
    public func upsertRemote(_ actor: RemoteActor) async throws -> Account { throw NotInMemory() }
    public func deleteRemote(uri: String) async throws {
        state.withLock { state in
            guard let account = state.accounts.values.first(where: { $0.uri == uri }) else { return }
            state.accounts[account.id] = nil
            state.statuses = state.statuses.filter { $0.value.accountID != account.id }
        }
    }
    public func privateKeyPEM(accountID: Int64) async throws -> String? { throw NotInMemory() }
    public func updateLocalProfile(accountID: Int64, _ change: ProfileChange, publish: OutgoingActivity) async throws -> Account { throw NotInMemory() }
}

extension InMemoryFederation: SocialGraphRepository {
    public func upsertFollow(accountID: Int64, targetAccountID: Int64, uri: String?, state followState: FollowState, publish: OutgoingActivity?)
        async throws -> Follow
    {
        state.withLock { state in
            record(publish, &state)
            if var existing = state.follows.values.first(where: { $0.accountID == accountID && $0.targetAccountID == targetAccountID }) {
                existing.state = followState
                existing.uri = uri ?? existing.uri
                state.follows[existing.id] = existing
                return existing
            }
            let follow = Follow(id: newID(&state), accountID: accountID, targetAccountID: targetAccountID, uri: uri, state: followState)
            state.follows[follow.id] = follow
            return follow
        }
    }
    public func findFollow(uri: String) async throws -> Follow? { read { $0.follows.values.first { $0.uri == uri } } }
    public func findFollow(accountID: Int64, targetAccountID: Int64) async throws -> Follow? {
        read { $0.follows.values.first { $0.accountID == accountID && $0.targetAccountID == targetAccountID } }
    }
    public func setFollowState(id: Int64, state followState: FollowState, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.follows[id]?.state = followState
        }
    }
    public func removeFollow(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws -> Follow? {
        state.withLock { state in
            guard let follow = state.follows.values.first(where: { $0.accountID == accountID && $0.targetAccountID == targetAccountID })
            else { return nil }
            record(publish, &state)
            state.follows[follow.id] = nil
            return follow
        }
    }
    public func followers(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)] {
        throw NotInMemory()
    }
    public func following(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)] {
        throw NotInMemory()
    }
    public func followCounts(of accountID: Int64) async throws -> (followers: Int, following: Int) { throw NotInMemory() }
    public func accountCounts(ids: [Int64]) async throws -> [Int64: AccountCounts] { throw NotInMemory() }
    public func accountsWithCounts(ids: [Int64], uris: [String]) async throws -> [(account: Account, counts: AccountCounts)] { throw NotInMemory() }
    public func followerInboxes(of accountID: Int64) async throws -> [String] {
        read { state in
            Array(
                Set(
                    state.follows.values.filter { $0.targetAccountID == accountID && $0.state == .accepted }
                        .compactMap { state.accounts[$0.accountID] }.filter { !$0.isLocal }.map { $0.sharedInboxURI ?? $0.inboxURI }))
        }
    }
    public func block(accountID: Int64, targetAccountID: Int64, uri: String?, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.blocks.insert([accountID, targetAccountID])
            state.follows = state.follows.filter {
                !([$0.value.accountID, $0.value.targetAccountID] == [accountID, targetAccountID]
                    || [$0.value.accountID, $0.value.targetAccountID] == [targetAccountID, accountID])
            }
        }
    }
    public func unblock(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.blocks.remove([accountID, targetAccountID])
        }
    }
    public func isBlocking(accountID: Int64, targetAccountID: Int64) async throws -> Bool { read { $0.blocks.contains([accountID, targetAccountID]) } }
    public func mute(accountID: Int64, targetAccountID: Int64, _ mute: Mute) async throws { throw NotInMemory() }
    public func unmute(accountID: Int64, targetAccountID: Int64) async throws { throw NotInMemory() }
    public func mute(accountID: Int64, targetAccountID: Int64) async throws -> Mute? { throw NotInMemory() }
    public func setNotify(accountID: Int64, targetAccountID: Int64, notify: Bool) async throws { throw NotInMemory() }
    public func blockedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)] { throw NotInMemory() }
    public func mutedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)] { throw NotInMemory() }
}

extension InMemoryFederation: StatusRepository {
    public func nextID() async throws -> Int64 { state.withLock { newID(&$0) } }
    public func insert(_ status: Status, publish: OutgoingActivity?) async throws -> (status: Status, inserted: Bool) {
        try state.withLock { state in
            if state.tombstones.contains(status.uri) { throw KithError(.conflict, "\(status.uri) was deleted") }
            if let existing = state.statuses.values.first(where: { $0.uri == status.uri }) { return (existing, false) }
            record(publish, &state)
            var stored = status
            stored.id = status.id == 0 ? newID(&state) : status.id
            state.statuses[stored.id] = stored
            return (stored, true)
        }
    }
    public func status(id: Int64) async throws -> Status? { read { $0.statuses[id] } }
    public func statuses(ids: [Int64]) async throws -> [Status] { read { state in ids.compactMap { state.statuses[$0] } } }
    public func boosterIDs(of statusID: Int64) async throws -> [Int64] { read { $0.statuses.values.filter { $0.reblogOfID == statusID }.map(\.accountID) } }
    public func status(uri: String) async throws -> Status? { read { $0.statuses.values.first { $0.uri == uri } } }
    public func update(_ status: Status, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.statuses[status.id] = status
        }
    }
    public func delete(id: Int64, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            guard let status = state.statuses[id] else { return }
            record(publish, &state)
            state.tombstones.insert(status.uri)
            state.statuses[id] = nil
            state.statuses = state.statuses.filter { $0.value.reblogOfID != id }
        }
    }
    public func isTombstoned(uri: String) async throws -> Bool { read { $0.tombstones.contains(uri) } }
    public func favourite(accountID: Int64, statusID: Int64, uri: String?, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            if state.favourites.contains(where: { $0.accountID == accountID && $0.statusID == statusID }) { return false }
            record(publish, &state)
            state.favourites.append((accountID, statusID, uri))
            return true
        }
    }
    public func unfavourite(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            let before = state.favourites.count
            state.favourites.removeAll { $0.accountID == accountID && $0.statusID == statusID }
            if before == state.favourites.count { return false }
            record(publish, &state)
            return true
        }
    }
    public func findFavourite(uri: String) async throws -> (accountID: Int64, statusID: Int64)? {
        read { $0.favourites.first { $0.uri == uri }.map { ($0.accountID, $0.statusID) } }
    }
    public func counts(statusID: Int64) async throws -> (favourites: Int, reblogs: Int, replies: Int) { throw NotInMemory() }
    public func counts(statusIDs: [Int64]) async throws -> [Int64: StatusCounts] { throw NotInMemory() }
    public func statuses(accountID: Int64, limit: Int, maxID: Int64?, visibilities: [Visibility], federated: Bool) async throws -> [Status] {
        throw NotInMemory()
    }
    public func countStatuses(accountID: Int64, visibilities: [Visibility], federated: Bool) async throws -> Int { throw NotInMemory() }
    public func pin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            record(publish, &state)
            return state.pins.insert([accountID, statusID]).inserted
        }
    }
    public func unpin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            record(publish, &state)
            return state.pins.remove([accountID, statusID]) != nil
        }
    }
    public func pinnedStatuses(accountID: Int64) async throws -> [Status] { throw NotInMemory() }
    public func reblog(accountID: Int64, of statusID: Int64) async throws -> Status? { throw NotInMemory() }
}

extension InMemoryFederation: ActivityQueueRepository {
    public func enqueueInbox(activityURI: String, type: String, actorURI: String, recipientAccountID: Int64?, payload: String) async throws -> Bool {
        throw NotInMemory()
    }
    public func claimInbox(limit: Int, lease: Duration) async throws -> [InboxItem] { throw NotInMemory() }
    public func releaseLeases(inbox: Bool) async throws -> Int { throw NotInMemory() }
    public func completeInbox(ids: [Int64]) async throws { throw NotInMemory() }
    public func failInbox(id: Int64, error: String, retryAt: Date?) async throws { throw NotInMemory() }
    public func publish(_ activity: OutgoingActivity) async throws -> PublishedActivity {
        state.withLock { state in
            record(activity, &state)
            let id = newID(&state)
            return PublishedActivity(id: id, uri: activity.uri ?? "\(base)/activities/\(id)", activity: activity, payload: nil, createdAt: Date())
        }
    }
    public func findActivity(uri: String) async throws -> PublishedActivity? { nil }
    public func findActivity(id: Int64) async throws -> PublishedActivity? { nil }
    public func fanOutNext(_ render: @Sendable (PublishedActivity) async throws -> (payload: String, inboxes: [String])) async throws -> Bool {
        throw NotInMemory()
    }
    public func claimDeliveries(limit: Int, lease: Duration) async throws -> [Delivery] { throw NotInMemory() }
    public func markDelivered(_ delivered: [(id: Int64, status: Int)]) async throws { throw NotInMemory() }
    public func scheduleRetry(id: Int64, at: Date, status: Int?, error: String) async throws { throw NotInMemory() }
    public func markDead(id: Int64, status: Int?, error: String) async throws { throw NotInMemory() }
    public func deliveries(state: DeliveryState?, limit: Int) async throws -> [Delivery] { throw NotInMemory() }
    public func retryDelivery(id: Int64, audit: AuditRecord) async throws -> Delivery? { throw NotInMemory() }
}

extension InMemoryFederation: ReportRepository {
    public func createReport(_ report: Report, publish: OutgoingActivity?) async throws -> Report {
        state.withLock { state in
            if let uri = report.uri, let existing = state.reports.first(where: { $0.uri == uri }) { return existing }
            var stored = report
            stored.id = newID(&state)
            state.reports.append(stored)
            return stored
        }
    }
    public func report(id: Int64) async throws -> Report? { read { $0.reports.first { $0.id == id } } }
    public func reports(resolved: Bool?, targetAccountID: Int64?, page: PageRequest) async throws -> [Report] { throw NotInMemory() }
    public func assignReport(id: Int64, to accountID: Int64?, audit: AuditRecord) async throws -> Report? { throw NotInMemory() }
    public func resolveReport(id: Int64, by accountID: Int64?, audit: AuditRecord) async throws -> Report? { throw NotInMemory() }
}

extension InMemoryFederation: DomainPolicyRepository {
    public func domainAllows() async throws -> [DomainAllow] {
        read { state in state.allowed.enumerated().map { DomainAllow(id: Int64($0.offset + 1), domain: $0.element, createdAt: Date()) } }
    }
    public func domainBlocks() async throws -> [DomainBlock] { [] }
    public func addAllow(domain: String, audit: AuditRecord) async throws -> DomainAllow { throw NotInMemory() }
    public func removeAllow(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainAllow? { throw NotInMemory() }
    public func saveBlock(_ block: DomainBlock, audit: AuditRecord) async throws -> DomainBlock { throw NotInMemory() }
    public func removeBlock(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainBlock? { throw NotInMemory() }
}
