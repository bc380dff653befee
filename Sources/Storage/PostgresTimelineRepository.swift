import Domain
import Foundation
import Logging
import PostgresNIO

/// Timelines, threads, bookmarks, search, markers and idempotent posting: reads over posts for a reader.
public struct PostgresTimelineRepository: TimelineRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    /// Runs a page query: `filter` selects the rows, the page bounds and order are added here.
    func page(_ filter: String, binds: PostgresBindings, page: PageRequest) async throws -> [Status] {
        var bindings = binds
        // Posts of suspended accounts are in no timeline.
        var sql = "SELECT \(PostgresStatusRepository.statusColumns) FROM statuses s WHERE (\(filter)) AND \(Self.notSuspended)"
        func bind(_ value: Int64) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        if let maxID = page.maxID { sql += " AND s.id < \(bind(maxID))" }
        if let sinceID = page.sinceID { sql += " AND s.id > \(bind(sinceID))" }
        if let minID = page.minID { sql += " AND s.id > \(bind(minID))" }
        let ascending = page.minID != nil && page.sinceID == nil
        sql += " ORDER BY s.id \(ascending ? "ASC" : "DESC") LIMIT \(bind(Int64(max(1, min(page.limit, 40)))))"
        let result = try await statuses(try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger))
        return ascending ? result.reversed() : result
    }

    /// Not by a suspended account.
    static let notSuspended = "NOT EXISTS (SELECT 1 FROM accounts sx WHERE sx.id = s.account_id AND sx.suspended_at IS NOT NULL)"


    /// Visible to `viewer` (a parameter placeholder): public and unlisted to all; followers-only
    /// to accepted followers and the author; direct to the author and those mentioned.
    static func visible(viewer: String) -> String {
        """
        (s.visibility IN ('public', 'unlisted') OR s.account_id = \(viewer)
         OR (s.visibility = 'private' AND EXISTS (SELECT 1 FROM follows f WHERE f.account_id = \(viewer)
             AND f.target_account_id = s.account_id AND f.state = 'accepted'))
         OR EXISTS (SELECT 1 FROM status_mentions m JOIN accounts v ON v.uri = m.account_uri WHERE m.status_id = s.id AND v.id = \(viewer)))
        """
    }

    /// Not by (nor a boost of a post by) an account `viewer` blocks or mutes (a mute in force).
    static func notSilenced(viewer: String) -> String {
        """
        NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = \(viewer) AND (m.expires_at IS NULL OR m.expires_at > now())
            AND m.target_account_id IN (s.account_id, (SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)))
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = \(viewer)
            AND b.target_account_id IN (s.account_id, (SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)))
        """
    }

    /// Not by a silenced account or an account of a silenced domain (public timelines only;
    /// followers still see them).
    static let notFromSilencedDomain = """
        NOT EXISTS (SELECT 1 FROM accounts sa WHERE sa.id = s.account_id AND sa.silenced_at IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM accounts sa JOIN domain_blocks db ON lower(db.domain) = lower(sa.domain)
            WHERE sa.id = s.account_id AND db.severity = 'silence')
        """

    public func homeTimeline(accountID: Int64, page: PageRequest) async throws -> [Status] {
        if page.minID == nil { return try await all(Prepared.HomeTimeline(viewerID: accountID, page: page)) }
        var binds = PostgresBindings()
        binds.append(accountID)
        return try await self.page(Self.homeFilter, binds: binds, page: page)
    }

    public func homeSources(accountID: Int64) async throws -> [Int64] {
        var ids = [accountID]
        let rows = try await client.query(
            "SELECT target_account_id FROM follows WHERE account_id = \(accountID) AND state = 'accepted'", logger: logger)
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// The home timeline of the reader `$1`: own posts and those of followed accounts, as far
    /// as the reader may see them and has not blocked or muted their authors.
    static let homeFilter = """
        (s.account_id = $1 OR s.account_id IN (SELECT target_account_id FROM follows WHERE account_id = $1 AND state = 'accepted'))
        AND \(visible(viewer: "$1")) AND \(notSilenced(viewer: "$1"))
        """

    /// The posts of account `$1` that viewer `$2` may see.
    static let accountFilter = "s.account_id = $1 AND \(visible(viewer: "$2"))"

    public func publicTimeline(local: Bool?, viewerID: Int64?, page: PageRequest) async throws -> [Status] {
        var binds = PostgresBindings()
        binds.append(viewerID ?? -1)
        let filter = "s.visibility = 'public' AND s.reblog_of_id IS NULL AND \(Self.notSilenced(viewer: "$1")) AND \(Self.notFromSilencedDomain)"
        return try await self.page(filter + Self.origin(local), binds: binds, page: page)
    }

    /// Only this node's posts, only other nodes', or both: written into the statement, not
    /// bound, so that a generic plan can use the local timeline's partial index.
    static func origin(_ local: Bool?) -> String {
        switch local {
        case true?: " AND s.local"
        case false?: " AND NOT s.local"
        case nil: ""
        }
    }

    public func accountTimeline(accountID: Int64, viewerID: Int64?, excludeReplies: Bool, page: PageRequest) async throws -> [Status] {
        if page.minID == nil {
            return try await all(Prepared.AccountTimeline(accountID: accountID, viewerID: viewerID ?? -1, excludeReplies: excludeReplies, page: page))
        }
        var binds = PostgresBindings()
        binds.append(accountID)
        binds.append(viewerID ?? -1)
        var filter = Self.accountFilter
        if excludeReplies { filter += " AND s.in_reply_to_uri IS NULL" }
        return try await self.page(filter, binds: binds, page: page)
    }

    public func context(statusID: Int64) async throws -> (ancestors: [Status], descendants: [Status]) {
        let ancestors = try await statuses(
            try await client.query(
                """
                WITH RECURSIVE up(id, depth) AS (
                    SELECT in_reply_to_id, 1 FROM statuses WHERE id = \(statusID) AND in_reply_to_id IS NOT NULL
                    UNION ALL SELECT s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.id
                    WHERE s.in_reply_to_id IS NOT NULL AND up.depth < 64)
                SELECT \(unescaped: PostgresStatusRepository.statusColumns) FROM statuses s JOIN up ON s.id = up.id ORDER BY up.depth DESC
                """, logger: logger))
        let descendants = try await statuses(
            try await client.query(
                """
                WITH RECURSIVE down(id, depth) AS (
                    SELECT id, 1 FROM statuses WHERE in_reply_to_id = \(statusID)
                    UNION ALL SELECT s.id, down.depth + 1 FROM statuses s JOIN down ON s.in_reply_to_id = down.id WHERE down.depth < 64)
                SELECT \(unescaped: PostgresStatusRepository.statusColumns) FROM statuses s JOIN down ON s.id = down.id ORDER BY s.id
                """, logger: logger))
        return (ancestors, descendants)
    }

    public func bookmark(accountID: Int64, statusID: Int64) async throws {
        try await client.query(
            "INSERT INTO bookmarks (account_id, status_id) VALUES (\(accountID), \(statusID)) ON CONFLICT DO NOTHING", logger: logger)
    }

    public func unbookmark(accountID: Int64, statusID: Int64) async throws {
        try await client.query("DELETE FROM bookmarks WHERE account_id = \(accountID) AND status_id = \(statusID)", logger: logger)
    }

    public func details(viewerID: Int64, statusIDs: [Int64]) async throws -> [Int64: StatusDetails] {
        guard !statusIDs.isEmpty else { return [:] }
        return Dictionary(
            try await all(Prepared.StatusDetailsByID(viewerID: viewerID, ids: Array(Set(statusIDs)))), uniquingKeysWith: { first, _ in first })
    }

    public func idempotentStatus(accountID: Int64, key: String) async throws -> Int64? {
        let rows = try await client.query(
            """
            SELECT status_id FROM idempotency_keys
            WHERE account_id = \(accountID) AND key = \(key) AND created_at > now() - interval '1 hour'
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    public func recordIdempotency(accountID: Int64, key: String, statusID: Int64) async throws {
        try await client.query(
            """
            INSERT INTO idempotency_keys (account_id, key, status_id) VALUES (\(accountID), \(key), \(statusID))
            ON CONFLICT (account_id, key) DO UPDATE SET status_id = excluded.status_id, created_at = now()
            """, logger: logger)
    }

    func marked(_ table: String, accountID: Int64, page: PageRequest) async throws -> [(markID: Int64, status: Status)] {
        var bindings = PostgresBindings()
        bindings.append(accountID)
        bindings.append(page.maxID ?? Int64.max)
        bindings.append(page.sinceID ?? page.minID ?? 0)
        bindings.append(Int64(max(1, min(page.limit, 40))))
        let sql = """
            SELECT \(PostgresStatusRepository.statusColumns), m.id FROM \(table) m JOIN statuses s ON s.id = m.status_id
            WHERE m.account_id = $1 AND m.id < $2 AND m.id > $3 ORDER BY m.id DESC LIMIT $4
            """
        var result: [(markID: Int64, status: Status)] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
            let markID = try row.makeRandomAccess()[PostgresStatusRepository.statusColumnCount].decode(Int64.self)
            result.append((markID, try PostgresStatusRepository.decodeStatus(row)))
        }
        return result
    }

    public func favourited(accountID: Int64, page: PageRequest) async throws -> [(markID: Int64, status: Status)] {
        try await marked("favourites", accountID: accountID, page: page)
    }

    public func bookmarked(accountID: Int64, page: PageRequest) async throws -> [(markID: Int64, status: Status)] {
        try await marked("bookmarks", accountID: accountID, page: page)
    }

    public func favouritedBy(statusID: Int64, limit: Int) async throws -> [Account] {
        try await accounts(
            """
            SELECT \(unescaped: PostgresRemoteAccountRepository.joinedAccountColumns) FROM favourites f JOIN accounts a ON a.id = f.account_id
            WHERE f.status_id = \(statusID) ORDER BY f.id DESC LIMIT \(limit)
            """)
    }

    public func rebloggedBy(statusID: Int64, limit: Int) async throws -> [Account] {
        try await accounts(
            """
            SELECT \(unescaped: PostgresRemoteAccountRepository.joinedAccountColumns) FROM statuses s JOIN accounts a ON a.id = s.account_id
            WHERE s.reblog_of_id = \(statusID) ORDER BY s.id DESC LIMIT \(limit)
            """)
    }

    static func likePattern(_ query: String) -> String {
        query.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    public func searchAccounts(_ query: String, viewerID: Int64?, limit: Int) async throws -> [Account] {
        let pattern = Self.likePattern(query.lowercased()) + "%"
        return try await accounts(
            """
            SELECT \(unescaped: PostgresRemoteAccountRepository.accountColumns) FROM accounts
            WHERE (lower(username) LIKE \(pattern) OR lower(display_name) LIKE \(pattern))
              AND suspended_at IS NULL
              AND NOT (actor_type = 'Group' AND NOT discoverable
                       AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.target_account_id = accounts.id AND f.account_id = \(viewerID ?? -1)
                                       AND f.state = 'accepted'))
            ORDER BY (domain IS NULL) DESC, lower(username) LIMIT \(limit)
            """)
    }

    public func searchStatuses(_ query: String, limit: Int) async throws -> [Status] {
        let pattern = "%" + Self.likePattern(query.lowercased()) + "%"
        return try await statuses(
            try await client.query(
                """
                SELECT \(unescaped: PostgresStatusRepository.statusColumns) FROM statuses s
                WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL AND lower(s.content) LIKE \(pattern)
                ORDER BY s.id DESC LIMIT \(limit)
                """, logger: logger))
    }

    public func searchTags(_ query: String, limit: Int) async throws -> [(name: String, uses: Int)] {
        let pattern = Self.likePattern(query.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "#"))) + "%"
        var result: [(name: String, uses: Int)] = []
        for try await (name, uses) in try await client.query(
            "SELECT name, count(*) FROM status_tags WHERE lower(name) LIKE \(pattern) GROUP BY name ORDER BY count(*) DESC, name LIMIT \(limit)",
            logger: logger
        ).decode((String, Int).self) {
            result.append((name, uses))
        }
        return result
    }

    public func tagTimeline(_ tag: String, local: Bool?, viewerID: Int64?, page: PageRequest) async throws -> [Status] {
        var binds = PostgresBindings()
        binds.append(tag.lowercased())
        binds.append(viewerID ?? -1)
        var filter = """
            s.visibility = 'public' AND s.reblog_of_id IS NULL AND EXISTS (SELECT 1 FROM status_tags t WHERE t.status_id = s.id AND t.name = $1)
            AND \(Self.notSilenced(viewer: "$2")) AND \(Self.notFromSilencedDomain)
            """
        filter += Self.origin(local)
        return try await self.page(filter, binds: binds, page: page)
    }

    public func peers() async throws -> [String] {
        try await domains("SELECT DISTINCT lower(domain) FROM accounts WHERE domain IS NOT NULL ORDER BY 1")
    }

    public func markers(accountID: Int64) async throws -> [String: (lastReadID: Int64, version: Int, updatedAt: Date)] {
        var result: [String: (lastReadID: Int64, version: Int, updatedAt: Date)] = [:]
        for try await (timeline, last, version, updated) in try await client.query(
            "SELECT timeline, last_read_id, version, updated_at FROM markers WHERE account_id = \(accountID)", logger: logger
        ).decode((String, Int64, Int, Date).self) {
            result[timeline] = (last, version, updated)
        }
        return result
    }

    public func setMarker(accountID: Int64, timeline: String, lastReadID: Int64) async throws {
        try await client.query(
            """
            INSERT INTO markers (account_id, timeline, last_read_id) VALUES (\(accountID), \(timeline), \(lastReadID))
            ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id, version = markers.version + 1, updated_at = now()
            """, logger: logger)
    }
}
