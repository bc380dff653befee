import ActivityStreams
import Domain
import Federation
import Foundation
import Synchronization

/// The repositories inbound handlers and outbound renderers use, in memory: enough of each
/// to test one verb at a time without PostgreSQL (the whole-node tests run on the real one).
/// What the handlers never call throws `NotInMemory`.
final class InMemoryFederation: Sendable {
    struct NotInMemory: Error {}

    struct State {
        var nextID: Int64 = 1
        var accounts: [Int64: Account] = [:]
        var statuses: [Int64: Status] = [:]
        var tombstones: Set<String> = []
        var follows: [Int64: Follow] = [:]
        var blocks: Set<[Int64]> = []
        var favourites: [(accountID: Int64, statusID: Int64, uri: String?)] = []
        var pins: Set<[Int64]> = []
        var reports: [Report] = []
        /// Activities recorded for delivery, with a repository call or on their own.
        var published: [OutgoingActivity] = []
        var allowed: [String] = []
    }

    let state = Mutex(State())
    let base = "https://kith.test"

    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    private func newID(_ state: inout State) -> Int64 {
        defer { state.nextID += 1 }
        return state.nextID
    }

    /// A local account on `https://kith.test`.
    @discardableResult
    func local(_ username: String, locked: Bool = false) -> Account {
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
    func remote(_ username: String, on host: String = "remote.test", type: String = "Person") -> Account {
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
    func post(by author: Account, uri: String? = nil, visibility: Visibility = .public, to: [String]? = nil) -> Status {
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
    func account(id: Int64) async throws -> Account? { read { $0.accounts[id] } }
    func accounts(ids: [Int64]) async throws -> [Account] { read { state in ids.compactMap { state.accounts[$0] } } }
    func account(uri: String) async throws -> Account? { read { $0.accounts.values.first { $0.uri == uri } } }
    func accounts(uris: [String]) async throws -> [Account] { read { $0.accounts.values.filter { uris.contains($0.uri) } } }
    func account(publicKeyID: String) async throws -> Account? { throw NotInMemory() }
    func remoteAccount(username: String, domain: String) async throws -> Account? { throw NotInMemory() }
    func fetchedAt(uri: String) async throws -> Date? { Date() }
    func upsertRemote(_ actor: RemoteActor) async throws -> Account { throw NotInMemory() }
    func deleteRemote(uri: String) async throws {
        state.withLock { state in
            guard let account = state.accounts.values.first(where: { $0.uri == uri }) else { return }
            state.accounts[account.id] = nil
            state.statuses = state.statuses.filter { $0.value.accountID != account.id }
        }
    }
    func privateKeyPEM(accountID: Int64) async throws -> String? { throw NotInMemory() }
    func updateLocalProfile(accountID: Int64, _ change: ProfileChange, publish: OutgoingActivity) async throws -> Account { throw NotInMemory() }
}

extension InMemoryFederation: SocialGraphRepository {
    func upsertFollow(accountID: Int64, targetAccountID: Int64, uri: String?, state followState: FollowState, publish: OutgoingActivity?)
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
    func findFollow(uri: String) async throws -> Follow? { read { $0.follows.values.first { $0.uri == uri } } }
    func findFollow(accountID: Int64, targetAccountID: Int64) async throws -> Follow? {
        read { $0.follows.values.first { $0.accountID == accountID && $0.targetAccountID == targetAccountID } }
    }
    func setFollowState(id: Int64, state followState: FollowState, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.follows[id]?.state = followState
        }
    }
    func removeFollow(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws -> Follow? {
        state.withLock { state in
            guard let follow = state.follows.values.first(where: { $0.accountID == accountID && $0.targetAccountID == targetAccountID })
            else { return nil }
            record(publish, &state)
            state.follows[follow.id] = nil
            return follow
        }
    }
    func followers(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)] {
        throw NotInMemory()
    }
    func following(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)] {
        throw NotInMemory()
    }
    func followCounts(of accountID: Int64) async throws -> (followers: Int, following: Int) { throw NotInMemory() }
    func accountCounts(ids: [Int64]) async throws -> [Int64: AccountCounts] { throw NotInMemory() }
    func accountsWithCounts(ids: [Int64], uris: [String]) async throws -> [(account: Account, counts: AccountCounts)] { throw NotInMemory() }
    func followerInboxes(of accountID: Int64) async throws -> [String] {
        read { state in
            Array(
                Set(
                    state.follows.values.filter { $0.targetAccountID == accountID && $0.state == .accepted }
                        .compactMap { state.accounts[$0.accountID] }.filter { !$0.isLocal }.map { $0.sharedInboxURI ?? $0.inboxURI }))
        }
    }
    func block(accountID: Int64, targetAccountID: Int64, uri: String?, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.blocks.insert([accountID, targetAccountID])
            state.follows = state.follows.filter {
                !([$0.value.accountID, $0.value.targetAccountID] == [accountID, targetAccountID]
                    || [$0.value.accountID, $0.value.targetAccountID] == [targetAccountID, accountID])
            }
        }
    }
    func unblock(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.blocks.remove([accountID, targetAccountID])
        }
    }
    func isBlocking(accountID: Int64, targetAccountID: Int64) async throws -> Bool { read { $0.blocks.contains([accountID, targetAccountID]) } }
    func mute(accountID: Int64, targetAccountID: Int64, _ mute: Mute) async throws { throw NotInMemory() }
    func unmute(accountID: Int64, targetAccountID: Int64) async throws { throw NotInMemory() }
    func mute(accountID: Int64, targetAccountID: Int64) async throws -> Mute? { throw NotInMemory() }
    func setNotify(accountID: Int64, targetAccountID: Int64, notify: Bool) async throws { throw NotInMemory() }
    func blockedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)] { throw NotInMemory() }
    func mutedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)] { throw NotInMemory() }
}

extension InMemoryFederation: StatusRepository {
    func nextID() async throws -> Int64 { state.withLock { newID(&$0) } }
    func insert(_ status: Status, publish: OutgoingActivity?) async throws -> (status: Status, inserted: Bool) {
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
    func status(id: Int64) async throws -> Status? { read { $0.statuses[id] } }
    func statuses(ids: [Int64]) async throws -> [Status] { read { state in ids.compactMap { state.statuses[$0] } } }
    func boosterIDs(of statusID: Int64) async throws -> [Int64] { read { $0.statuses.values.filter { $0.reblogOfID == statusID }.map(\.accountID) } }
    func status(uri: String) async throws -> Status? { read { $0.statuses.values.first { $0.uri == uri } } }
    func update(_ status: Status, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            record(publish, &state)
            state.statuses[status.id] = status
        }
    }
    func delete(id: Int64, publish: OutgoingActivity?) async throws {
        state.withLock { state in
            guard let status = state.statuses[id] else { return }
            record(publish, &state)
            state.tombstones.insert(status.uri)
            state.statuses[id] = nil
            state.statuses = state.statuses.filter { $0.value.reblogOfID != id }
        }
    }
    func isTombstoned(uri: String) async throws -> Bool { read { $0.tombstones.contains(uri) } }
    func favourite(accountID: Int64, statusID: Int64, uri: String?, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            if state.favourites.contains(where: { $0.accountID == accountID && $0.statusID == statusID }) { return false }
            record(publish, &state)
            state.favourites.append((accountID, statusID, uri))
            return true
        }
    }
    func unfavourite(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            let before = state.favourites.count
            state.favourites.removeAll { $0.accountID == accountID && $0.statusID == statusID }
            if before == state.favourites.count { return false }
            record(publish, &state)
            return true
        }
    }
    func findFavourite(uri: String) async throws -> (accountID: Int64, statusID: Int64)? {
        read { $0.favourites.first { $0.uri == uri }.map { ($0.accountID, $0.statusID) } }
    }
    func counts(statusID: Int64) async throws -> (favourites: Int, reblogs: Int, replies: Int) { throw NotInMemory() }
    func counts(statusIDs: [Int64]) async throws -> [Int64: StatusCounts] { throw NotInMemory() }
    func statuses(accountID: Int64, limit: Int, maxID: Int64?, visibilities: [Visibility], federated: Bool) async throws -> [Status] {
        throw NotInMemory()
    }
    func countStatuses(accountID: Int64, visibilities: [Visibility], federated: Bool) async throws -> Int { throw NotInMemory() }
    func pin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            record(publish, &state)
            return state.pins.insert([accountID, statusID]).inserted
        }
    }
    func unpin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        state.withLock { state in
            record(publish, &state)
            return state.pins.remove([accountID, statusID]) != nil
        }
    }
    func pinnedStatuses(accountID: Int64) async throws -> [Status] { throw NotInMemory() }
    func reblog(accountID: Int64, of statusID: Int64) async throws -> Status? { throw NotInMemory() }
}

extension InMemoryFederation: ActivityQueueRepository {
    func enqueueInbox(activityURI: String, type: String, actorURI: String, recipientAccountID: Int64?, payload: String) async throws -> Bool {
        throw NotInMemory()
    }
    func claimInbox(limit: Int, lease: Duration) async throws -> [InboxItem] { throw NotInMemory() }
    func releaseLeases(inbox: Bool) async throws -> Int { throw NotInMemory() }
    func completeInbox(ids: [Int64]) async throws { throw NotInMemory() }
    func failInbox(id: Int64, error: String, retryAt: Date?) async throws { throw NotInMemory() }
    func publish(_ activity: OutgoingActivity) async throws -> PublishedActivity {
        state.withLock { state in
            record(activity, &state)
            let id = newID(&state)
            return PublishedActivity(id: id, uri: activity.uri ?? "\(base)/activities/\(id)", activity: activity, payload: nil, createdAt: Date())
        }
    }
    func findActivity(uri: String) async throws -> PublishedActivity? { nil }
    func findActivity(id: Int64) async throws -> PublishedActivity? { nil }
    func fanOutNext(_ render: @Sendable (PublishedActivity) async throws -> (payload: String, inboxes: [String])) async throws -> Bool {
        throw NotInMemory()
    }
    func claimDeliveries(limit: Int, lease: Duration) async throws -> [Delivery] { throw NotInMemory() }
    func markDelivered(_ delivered: [(id: Int64, status: Int)]) async throws { throw NotInMemory() }
    func scheduleRetry(id: Int64, at: Date, status: Int?, error: String) async throws { throw NotInMemory() }
    func markDead(id: Int64, status: Int?, error: String) async throws { throw NotInMemory() }
    func deliveries(state: DeliveryState?, limit: Int) async throws -> [Delivery] { throw NotInMemory() }
    func retryDelivery(id: Int64, audit: AuditRecord) async throws -> Delivery? { throw NotInMemory() }
}

extension InMemoryFederation: ReportRepository {
    func createReport(_ report: Report, publish: OutgoingActivity?) async throws -> Report {
        state.withLock { state in
            if let uri = report.uri, let existing = state.reports.first(where: { $0.uri == uri }) { return existing }
            var stored = report
            stored.id = newID(&state)
            state.reports.append(stored)
            return stored
        }
    }
    func report(id: Int64) async throws -> Report? { read { $0.reports.first { $0.id == id } } }
    func reports(resolved: Bool?, targetAccountID: Int64?, page: PageRequest) async throws -> [Report] { throw NotInMemory() }
    func assignReport(id: Int64, to accountID: Int64?, audit: AuditRecord) async throws -> Report? { throw NotInMemory() }
    func resolveReport(id: Int64, by accountID: Int64?, audit: AuditRecord) async throws -> Report? { throw NotInMemory() }
}

extension InMemoryFederation: DomainPolicyRepository {
    func domainAllows() async throws -> [DomainAllow] {
        read { state in state.allowed.enumerated().map { DomainAllow(id: Int64($0.offset + 1), domain: $0.element, createdAt: Date()) } }
    }
    func domainBlocks() async throws -> [DomainBlock] { [] }
    func addAllow(domain: String, audit: AuditRecord) async throws -> DomainAllow { throw NotInMemory() }
    func removeAllow(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainAllow? { throw NotInMemory() }
    func saveBlock(_ block: DomainBlock, audit: AuditRecord) async throws -> DomainBlock { throw NotInMemory() }
    func removeBlock(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainBlock? { throw NotInMemory() }
}

/// Other nodes' documents for the handlers, served from memory: `documents` by id. An actor
/// not among `store`d accounts or documents is unavailable.
final class InMemoryDirectory: RemoteDirectory {
    let store: InMemoryFederation
    let documents: Mutex<[String: JSONValue]> = Mutex([:])
    let fetched = Mutex<[String]>([])

    init(store: InMemoryFederation) {
        self.store = store
    }

    func isLocal(_ uri: String) -> Bool { uri.hasPrefix(store.base + "/") }

    func actor(uri: String, refresh: Bool) async throws -> Account {
        if let account = try await store.account(uri: uri) { return account }
        throw KithError(.unavailable, "\(uri) did not answer")
    }

    func object(uri: String) async throws -> JSONValue {
        fetched.withLock { $0.append(uri) }
        guard let json = documents.withLock({ $0[uri] }) else { throw KithError(.unavailable, "\(uri) did not answer") }
        return json
    }

    func store(_ json: JSONValue, fetchedFrom url: String) async throws -> Account {
        guard let id = json["id"]?.stringValue, var account = try await store.account(uri: id) else { throw NotInMemoryError() }
        account.displayName = json["name"]?.stringValue ?? account.displayName
        store.state.withLock { $0.accounts[account.id] = account }
        return account
    }

    struct NotInMemoryError: Error {}
}
