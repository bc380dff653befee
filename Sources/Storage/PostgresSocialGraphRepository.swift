import Domain
import Foundation
import Logging
import PostgresNIO

/// Follows, blocks and mutes, and the counts they make.
public struct PostgresSocialGraphRepository: SocialGraphRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

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
            SELECT \(unescaped: PostgresRemoteAccountRepository.joinedAccountColumns), f.id
            FROM follows f JOIN accounts a ON a.id = f.account_id
            WHERE f.target_account_id = \(accountID) AND f.state = \(state.rawValue) AND f.id < \(maxID ?? Int64.max)
            ORDER BY f.id DESC LIMIT \(limit)
            """)
    }

    public func following(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)] {
        try await accountsWithFollowID(
            """
            SELECT \(unescaped: PostgresRemoteAccountRepository.joinedAccountColumns), f.id
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
            SELECT \(unescaped: PostgresRemoteAccountRepository.joinedAccountColumns), b.id FROM blocks b JOIN accounts a ON a.id = b.target_account_id
            WHERE b.account_id = \(accountID) AND b.id < \(page.maxID ?? Int64.max) AND b.id > \(page.sinceID ?? page.minID ?? 0)
            ORDER BY b.id DESC LIMIT \(page.limit)
            """).map { (entryID: $0.followID, account: $0.account) }
    }

    public func mutedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)] {
        try await accountsWithFollowID(
            """
            SELECT \(unescaped: PostgresRemoteAccountRepository.joinedAccountColumns), m.id FROM mutes m JOIN accounts a ON a.id = m.target_account_id
            WHERE m.account_id = \(accountID) AND (m.expires_at IS NULL OR m.expires_at > now())
              AND m.id < \(page.maxID ?? Int64.max) AND m.id > \(page.sinceID ?? page.minID ?? 0)
            ORDER BY m.id DESC LIMIT \(page.limit)
            """).map { (entryID: $0.followID, account: $0.account) }
    }
}
