import Domain
import Foundation
import Logging
import PostgresNIO

/// Federation state in PostgreSQL: remote actors, the social graph, posts, the inbox queue,
/// the outbox and its deliveries, domain policy. Every value is a bound parameter. Writes
/// that must happen together (an effect and the activity announcing it) share a transaction.
public struct PostgresFederationStore: Sendable {
    let client: PostgresClient
    let baseLogger: Logger
    /// The request's or job's logger when one is bound, so each query's log lines name what it was for.
    var logger: Logger { .current(or: baseLogger) }
    /// The node's base URL, to mint activity ids (`<base>/activities/<id>`).
    let baseURL: String

    public init(client: PostgresClient, logger: Logger, baseURL: String) {
        self.client = client
        self.baseLogger = logger
        self.baseURL = baseURL
    }

    /// A fresh time-sortable id, for callers that need an object's id before inserting it.
    public func nextID() async throws -> Int64 {
        let rows = try await client.query("SELECT kith_next_id()", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw KithError(.internalError, "kith_next_id() returned nothing")
    }

    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.rollbackError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Inserts the activity row for `activity` (nothing when nil) on `connection`.
    @discardableResult
    func record(_ activity: OutgoingActivity?, on connection: PostgresConnection) async throws -> Int64? {
        guard let activity else { return nil }
        let state = activity.deliver ? "pending" : "none"
        let rows = try await connection.query(
            """
            WITH new AS (SELECT kith_next_id() AS id)
            INSERT INTO activities (id, uri, account_id, type, object_uri, status_id, target_account_id, related_uri,
                related_actor_uri, to_uris, cc_uris, fanout_state, object_uris, content, extra_inboxes, payload)
            SELECT new.id, coalesce(\(activity.uri), \(baseURL + "/activities/") || new.id), \(activity.accountID),
                \(activity.kind.rawValue), \(activity.objectURI), \(activity.statusID), \(activity.targetAccountID),
                \(activity.relatedURI), \(activity.relatedActorURI), \(activity.to), \(activity.cc), \(state), \(activity.objectURIs),
                \(activity.content), \(activity.extraInboxes), \(activity.forwardedPayload)
            FROM new
            ON CONFLICT (uri) DO NOTHING
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }
}

// MARK: - Remote accounts

extension PostgresFederationStore: RemoteAccountRepository {
    static let accountColumns = PostgresAccountRepository.columns
    /// The same columns qualified with `a.`, for joins.
    static let joinedAccountColumns = accountColumns.split(separator: ",")
        .map { "a." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    func accounts(_ query: PostgresQuery) async throws -> [Account] {
        try await PostgresAccountRepository.decode(try await client.query(query, logger: logger))
    }

    public func account(id: Int64) async throws -> Account? {
        try await all(Prepared.AccountsByID(ids: [id])).first
    }

    public func accounts(ids: [Int64]) async throws -> [Account] {
        guard !ids.isEmpty else { return [] }
        return try await all(Prepared.AccountsByID(ids: Array(Set(ids))))
    }

    public func accounts(uris: [String]) async throws -> [Account] {
        guard !uris.isEmpty else { return [] }
        return try await accounts("SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE uri = ANY(\(Array(Set(uris))))")
    }

    public func account(uri: String) async throws -> Account? {
        try await all(Prepared.AccountByURI(uri: uri)).first
    }

    public func account(publicKeyID: String) async throws -> Account? {
        try await all(Prepared.AccountByKeyID(keyID: publicKeyID)).first
    }

    public func remoteAccount(username: String, domain: String) async throws -> Account? {
        try await accounts(
            "SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE lower(username) = lower(\(username)) AND lower(domain) = lower(\(domain))"
        ).first
    }

    public func fetchedAt(uri: String) async throws -> Date? {
        let rows = try await client.query("SELECT fetched_at FROM accounts WHERE uri = \(uri)", logger: logger)
        for try await date in rows.decode(Date?.self) { return date }
        return nil
    }

    public func upsertRemote(_ actor: RemoteActor) async throws -> Account {
        do {
            try await writeRemote(actor)
        } catch let error where PostgresErrorText.isUniqueViolation(error) {
            // Two deliveries from an actor seen for the first time, side by side: the other
            // insert won on the username index, which ON CONFLICT (uri) does not arbitrate.
            // Now the row exists and the update path applies.
            try await writeRemote(actor)
        }
        guard let account = try await account(uri: actor.uri), account.domain != nil else {
            throw KithError(.conflict, "\(actor.uri) is a local account and cannot be replaced by a remote document")
        }
        return account
    }

    func writeRemote(_ actor: RemoteActor) async throws {
        // A username reused by a new actor id on the same domain (an account recreated):
        // the old row gives way, as Mastodon does.
        try await transaction { connection in
            try await connection.query(
                """
                DELETE FROM accounts WHERE domain IS NOT NULL AND lower(username) = lower(\(actor.username))
                    AND lower(domain) = lower(\(actor.domain)) AND uri <> \(actor.uri)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO accounts (username, domain, display_name, note, actor_type, uri, url, inbox_uri, shared_inbox_uri,
                    outbox_uri, followers_uri, following_uri, featured_uri, public_key_id, public_key_pem, locked, discoverable,
                    avatar_url, fields, assertion_key_id, assertion_key, fetched_at)
                VALUES (\(actor.username), \(actor.domain), \(actor.displayName), \(actor.note), \(actor.actorType), \(actor.uri),
                    \(actor.url), \(actor.inboxURI), \(actor.sharedInboxURI), \(actor.outboxURI), \(actor.followersURI),
                    \(actor.followingURI), \(actor.featuredURI), \(actor.publicKeyID), \(actor.publicKeyPEM), \(actor.locked),
                    \(actor.discoverable), \(actor.avatarURL), \(PostgresAccountRepository.encodeFields(actor.fields))::jsonb,
                    \(actor.assertionKey?.id), \(actor.assertionKey?.multibase), now())
                ON CONFLICT (uri) DO UPDATE SET username = excluded.username, display_name = excluded.display_name,
                    note = excluded.note, actor_type = excluded.actor_type, url = excluded.url, inbox_uri = excluded.inbox_uri,
                    shared_inbox_uri = excluded.shared_inbox_uri, outbox_uri = excluded.outbox_uri,
                    followers_uri = excluded.followers_uri, following_uri = excluded.following_uri,
                    featured_uri = excluded.featured_uri, public_key_id = excluded.public_key_id,
                    public_key_pem = excluded.public_key_pem, locked = excluded.locked, discoverable = excluded.discoverable,
                    avatar_url = excluded.avatar_url, fields = excluded.fields, assertion_key_id = excluded.assertion_key_id,
                    assertion_key = excluded.assertion_key, fetched_at = now(), updated_at = now()
                WHERE accounts.domain IS NOT NULL
                """, logger: logger)
        }
    }

    public func deleteRemote(uri: String) async throws {
        try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO tombstones (uri) SELECT s.uri FROM statuses s JOIN accounts a ON a.id = s.account_id
                WHERE a.uri = \(uri) AND a.domain IS NOT NULL ON CONFLICT DO NOTHING
                """, logger: logger)
            try await connection.query("DELETE FROM accounts WHERE uri = \(uri) AND domain IS NOT NULL", logger: logger)
        }
    }

    public func privateKeyPEM(accountID: Int64) async throws -> String? {
        let rows = try await client.query("SELECT private_key_pem FROM accounts WHERE id = \(accountID)", logger: logger)
        for try await pem in rows.decode(String?.self) { return pem }
        return nil
    }

    public func updateLocalProfile(accountID: Int64, _ change: ProfileChange, publish: OutgoingActivity) async throws -> Account {
        let fields = change.fields.map(PostgresAccountRepository.encodeFields)
        return try await transaction { connection in
            try await connection.query(
                """
                UPDATE accounts SET display_name = coalesce(\(change.displayName), display_name), note = coalesce(\(change.note), note),
                    locked = coalesce(\(change.locked), locked), discoverable = coalesce(\(change.discoverable), discoverable),
                    fields = coalesce(\(fields)::jsonb, fields), updated_at = now()
                WHERE id = \(accountID) AND domain IS NULL
                """, logger: logger)
            try await record(publish, on: connection)
            let rows = try await connection.query("SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE id = \(accountID)", logger: logger)
            guard let account = try await PostgresAccountRepository.decode(rows).first else { throw KithError(.notFound, "no account \(accountID)") }
            return account
        }
    }
}

// MARK: - Follows and blocks

extension PostgresFederationStore: SocialGraphRepository {
    static let followColumns = "id, account_id, target_account_id, uri, state, notify"

    func follows(_ rows: PostgresRowSequence) async throws -> [Follow] {
        var result: [Follow] = []
        for try await (id, account, target, uri, state, notify) in rows.decode((Int64, Int64, Int64, String?, String, Bool).self) {
            result.append(
                Follow(id: id, accountID: account, targetAccountID: target, uri: uri, state: FollowState(rawValue: state) ?? .pending, notify: notify))
        }
        return result
    }

    public func upsertFollow(accountID: Int64, targetAccountID: Int64, uri: String?, state: FollowState, publish: OutgoingActivity?) async throws -> Follow {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO follows (account_id, target_account_id, uri, state)
                VALUES (\(accountID), \(targetAccountID), \(uri), \(state.rawValue))
                ON CONFLICT (account_id, target_account_id) DO UPDATE SET uri = coalesce(excluded.uri, follows.uri),
                    state = CASE WHEN follows.state = 'accepted' THEN 'accepted' ELSE excluded.state END, updated_at = now()
                RETURNING \(unescaped: Self.followColumns)
                """, logger: logger)
            guard let follow = try await follows(rows).first else { throw KithError(.internalError, "follow upsert returned nothing") }
            // A local account hears of a new follower, or of a request to follow it.
            try await connection.query(
                NotificationSQL.follow(targetAccountID: targetAccountID, by: accountID, accepted: follow.state == .accepted), logger: logger)
            var activity = publish
            if activity?.kind == .accept, activity?.relatedURI == nil { activity?.relatedURI = follow.uri }
            try await record(activity, on: connection)
            return follow
        }
    }

    public func findFollow(uri: String) async throws -> Follow? {
        try await follows(try await client.query("SELECT \(unescaped: Self.followColumns) FROM follows WHERE uri = \(uri)", logger: logger)).first
    }

    public func findFollow(accountID: Int64, targetAccountID: Int64) async throws -> Follow? {
        try await follows(
            try await client.query(
                "SELECT \(unescaped: Self.followColumns) FROM follows WHERE account_id = \(accountID) AND target_account_id = \(targetAccountID)",
                logger: logger)
        ).first
    }

    public func setFollowState(id: Int64, state: FollowState, publish: OutgoingActivity?) async throws {
        try await transaction { connection in
            try await connection.query("UPDATE follows SET state = \(state.rawValue), updated_at = now() WHERE id = \(id)", logger: logger)
            try await record(publish, on: connection)
        }
    }

    public func removeFollow(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws -> Follow? {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                DELETE FROM follows WHERE account_id = \(accountID) AND target_account_id = \(targetAccountID)
                RETURNING \(unescaped: Self.followColumns)
                """, logger: logger)
            let removed = try await follows(rows).first
            if removed != nil { try await record(publish, on: connection) }
            return removed
        }
    }

    func accountsWithFollowID(_ query: PostgresQuery) async throws -> [(followID: Int64, account: Account)] {
        var result: [(followID: Int64, account: Account)] = []
        for try await row in try await client.query(query, logger: logger) {
            let account = try PostgresAccountRepository.decode(row)
            result.append((try row.makeRandomAccess()[PostgresAccountRepository.columnCount].decode(Int64.self), account))
        }
        return result
    }

    public func followers(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)] {
        try await accountsWithFollowID(
            """
            SELECT \(unescaped: Self.joinedAccountColumns), f.id
            FROM follows f JOIN accounts a ON a.id = f.account_id
            WHERE f.target_account_id = \(accountID) AND f.state = \(state.rawValue) AND f.id < \(maxID ?? Int64.max)
            ORDER BY f.id DESC LIMIT \(limit)
            """)
    }

    public func following(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)] {
        try await accountsWithFollowID(
            """
            SELECT \(unescaped: Self.joinedAccountColumns), f.id
            FROM follows f JOIN accounts a ON a.id = f.target_account_id
            WHERE f.account_id = \(accountID) AND f.state = \(state.rawValue) AND f.id < \(maxID ?? Int64.max)
            ORDER BY f.id DESC LIMIT \(limit)
            """)
    }

    public func followCounts(of accountID: Int64) async throws -> (followers: Int, following: Int) {
        let counts = try await accountCounts(ids: [accountID])[accountID] ?? AccountCounts()
        return (counts.followers, counts.following)
    }

    public func accountCounts(ids: [Int64]) async throws -> [Int64: AccountCounts] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await all(Prepared.AccountCountsByID(ids: Array(Set(ids)))), uniquingKeysWith: { first, _ in first })
    }

    public func accountsWithCounts(ids: [Int64], uris: [String]) async throws -> [(account: Account, counts: AccountCounts)] {
        guard !ids.isEmpty || !uris.isEmpty else { return [] }
        return try await all(Prepared.AccountsWithCounts(ids: Array(Set(ids)), uris: Array(Set(uris)))).map { ($0.0, $0.1) }
    }

    public func followerInboxes(of accountID: Int64) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT DISTINCT coalesce(a.shared_inbox_uri, a.inbox_uri) FROM follows f JOIN accounts a ON a.id = f.account_id
            WHERE f.target_account_id = \(accountID) AND f.state = 'accepted' AND a.domain IS NOT NULL
            """, logger: logger)
        var inboxes: [String] = []
        for try await inbox in rows.decode(String.self) { inboxes.append(inbox) }
        return inboxes.sorted()
    }

    public func block(accountID: Int64, targetAccountID: Int64, uri: String?, publish: OutgoingActivity?) async throws {
        try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO blocks (account_id, target_account_id, uri) VALUES (\(accountID), \(targetAccountID), \(uri))
                ON CONFLICT (account_id, target_account_id) DO NOTHING
                """, logger: logger)
            try await connection.query(
                """
                DELETE FROM follows WHERE (account_id = \(accountID) AND target_account_id = \(targetAccountID))
                    OR (account_id = \(targetAccountID) AND target_account_id = \(accountID))
                """, logger: logger)
            try await record(publish, on: connection)
        }
    }

    public func unblock(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws {
        try await transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM blocks WHERE account_id = \(accountID) AND target_account_id = \(targetAccountID) RETURNING uri", logger: logger)
            var removed: String??
            for try await uri in rows.decode(String?.self) { removed = .some(uri) }
            guard let removed else { return }
            var activity = publish
            if activity?.relatedURI == nil { activity?.relatedURI = removed }  // the Undo names the Block it undoes
            try await record(activity, on: connection)
        }
    }

    public func isBlocking(accountID: Int64, targetAccountID: Int64) async throws -> Bool {
        let rows = try await client.query(
            "SELECT 1 FROM blocks WHERE account_id = \(accountID) AND target_account_id = \(targetAccountID)", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    public func mute(accountID: Int64, targetAccountID: Int64, _ mute: Mute) async throws {
        try await client.query(
            """
            INSERT INTO mutes (account_id, target_account_id, hide_notifications, expires_at)
            VALUES (\(accountID), \(targetAccountID), \(mute.hideNotifications), \(mute.expiresAt))
            ON CONFLICT (account_id, target_account_id) DO UPDATE
                SET hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at
            """, logger: logger)
    }

    public func unmute(accountID: Int64, targetAccountID: Int64) async throws {
        try await client.query("DELETE FROM mutes WHERE account_id = \(accountID) AND target_account_id = \(targetAccountID)", logger: logger)
    }

    public func mute(accountID: Int64, targetAccountID: Int64) async throws -> Mute? {
        let rows = try await client.query(
            """
            SELECT hide_notifications, expires_at FROM mutes
            WHERE account_id = \(accountID) AND target_account_id = \(targetAccountID) AND (expires_at IS NULL OR expires_at > now())
            """, logger: logger)
        for try await (hide, expires) in rows.decode((Bool, Date?).self) { return Mute(hideNotifications: hide, expiresAt: expires) }
        return nil
    }

    public func setNotify(accountID: Int64, targetAccountID: Int64, notify: Bool) async throws {
        try await client.query(
            "UPDATE follows SET notify = \(notify) WHERE account_id = \(accountID) AND target_account_id = \(targetAccountID)", logger: logger)
    }

    public func blockedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)] {
        try await accountsWithFollowID(
            """
            SELECT \(unescaped: Self.joinedAccountColumns), b.id FROM blocks b JOIN accounts a ON a.id = b.target_account_id
            WHERE b.account_id = \(accountID) AND b.id < \(page.maxID ?? Int64.max) AND b.id > \(page.sinceID ?? page.minID ?? 0)
            ORDER BY b.id DESC LIMIT \(page.limit)
            """).map { (entryID: $0.followID, account: $0.account) }
    }

    public func mutedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)] {
        try await accountsWithFollowID(
            """
            SELECT \(unescaped: Self.joinedAccountColumns), m.id FROM mutes m JOIN accounts a ON a.id = m.target_account_id
            WHERE m.account_id = \(accountID) AND (m.expires_at IS NULL OR m.expires_at > now())
              AND m.id < \(page.maxID ?? Int64.max) AND m.id > \(page.sinceID ?? page.minID ?? 0)
            ORDER BY m.id DESC LIMIT \(page.limit)
            """).map { (entryID: $0.followID, account: $0.account) }
    }
}
