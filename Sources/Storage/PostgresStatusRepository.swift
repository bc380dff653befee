import Domain
import Foundation
import Logging
import PostgresNIO

/// Posts: stored, edited, deleted (with tombstones), favourited, boosted, pinned.
public struct PostgresStatusRepository: StatusRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    public func nextID() async throws -> Int64 {
        try await newID()
    }

    static let statusColumns = """
        s.id, s.uri, s.url, s.account_id, s.local, s.object_type, s.in_reply_to_id, s.in_reply_to_uri, s.reblog_of_id, \
        s.context_uri, s.title, s.content, s.spoiler_text, s.sensitive, s.visibility, s.language, s.to_uris, s.cc_uris, \
        s.published_at, s.edited_at, \
        coalesce((SELECT array_agg(m.account_uri ORDER BY m.account_uri) FROM status_mentions m WHERE m.status_id = s.id), '{}'), \
        coalesce((SELECT array_agg(m.name ORDER BY m.account_uri) FROM status_mentions m WHERE m.status_id = s.id), '{}'), \
        coalesce((SELECT array_agg(t.name ORDER BY t.name) FROM status_tags t WHERE t.status_id = s.id), '{}'), \
        s.local_only
        """
    /// How many columns `statusColumns` names (a query's extra columns come after them).
    static let statusColumnCount = 24

    /// One status from a row whose first columns are `statusColumns`.
    static func decodeStatus(_ row: PostgresRow) throws -> Status {
        let (id, uri, url, accountID, local, objectType, inReplyToID, inReplyToURI, reblogOfID, contextURI) =
            try row.decode((Int64, String, String?, Int64, Bool, String, Int64?, String?, Int64?, String?).self)
        let c = row.makeRandomAccess()
        let mentionURIs = try c[20].decode([String].self)
        let mentionNames = try c[21].decode([String].self)
        return Status(
            id: id, uri: uri, url: url, accountID: accountID, local: local, objectType: objectType, inReplyToID: inReplyToID,
            inReplyToURI: inReplyToURI, reblogOfID: reblogOfID, contextURI: contextURI, title: try c[10].decode(String?.self),
            content: try c[11].decode(String.self), spoilerText: try c[12].decode(String.self), sensitive: try c[13].decode(Bool.self),
            visibility: Visibility(rawValue: try c[14].decode(String.self)) ?? .direct, language: try c[15].decode(String?.self),
            to: try c[16].decode([String].self), cc: try c[17].decode([String].self), publishedAt: try c[18].decode(Date.self),
            editedAt: try c[19].decode(Date?.self),
            mentions: zip(mentionURIs, mentionNames).map { Mention(uri: $0, name: $1) }, tags: try c[22].decode([String].self),
            localOnly: try c[23].decode(Bool.self))
    }

    /// A post's mentions as they are stored: one per account (the first one named).
    static func storedMentions(_ status: Status) -> [Mention] {
        var seen = Set<String>()
        return status.mentions.filter { seen.insert($0.uri).inserted }
    }

    /// A post's tags as they are stored: lowercased, once each.
    static func storedTags(_ status: Status) -> [String] {
        Set(status.tags.map { $0.lowercased() }).sorted()
    }

    /// Replaces an edited post's mentions and tags (a new post gets them from InsertPost).
    func replaceMentionsAndTags(_ status: Status, on connection: PostgresConnection) async throws {
        let id = status.id
        try await connection.query("DELETE FROM status_mentions WHERE status_id = \(id)", logger: logger)
        try await connection.query("DELETE FROM status_tags WHERE status_id = \(id)", logger: logger)
        let mentions = Self.storedMentions(status)
        if !mentions.isEmpty {
            try await connection.query(
                """
                INSERT INTO status_mentions (status_id, account_uri, name)
                SELECT \(id), uri, name FROM unnest(\(mentions.map(\.uri))::text[], \(mentions.map(\.name))::text[]) AS m(uri, name)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        let tags = Self.storedTags(status)
        if !tags.isEmpty {
            try await connection.query(
                "INSERT INTO status_tags (status_id, name) SELECT \(id), unnest(\(tags)::text[]) ON CONFLICT DO NOTHING", logger: logger)
        }
    }

    public func insert(_ status: Status, publish: OutgoingActivity?) async throws -> (status: Status, inserted: Bool) {
        let insertedID: Int64?
        if publish == nil {
            // A remote post: one statement, no transaction to open and close, and no second look
            // (the row is what was sent, with its id; mentions and tags as the database keeps them).
            if let id = try await all(Prepared.InsertPost(status: status)).first {
                var stored = status
                stored.id = id
                stored.mentions = Self.storedMentions(status).sorted { $0.uri < $1.uri }
                stored.tags = Self.storedTags(status)
                return (stored, true)
            }
            insertedID = nil
        } else {
            insertedID = try await transaction { connection in
                var id: Int64?
                for try await value in try await connection.execute(Prepared.InsertPost(status: status), logger: logger) { id = value }
                guard let id else { return nil }
                var activity = publish
                if activity?.statusID == nil { activity?.statusID = id }
                try await record(activity, on: connection)
                return id
            }
        }
        if let insertedID, let stored = try await self.status(id: insertedID) { return (stored, true) }
        // Not inserted: the URI is taken (the stored post comes back) or was deleted.
        guard let existing = try await self.status(uri: status.uri) else {
            throw KithError(.conflict, "\(status.uri) was deleted")
        }
        return (existing, false)
    }

    public func status(id: Int64) async throws -> Status? {
        try await all(Prepared.StatusesByID(ids: [id])).first
    }

    public func statuses(ids: [Int64]) async throws -> [Status] {
        guard !ids.isEmpty else { return [] }
        return try await all(Prepared.StatusesByID(ids: Array(Set(ids))))
    }

    public func status(uri: String) async throws -> Status? {
        try await all(Prepared.StatusByURI(uri: uri)).first
    }

    public func update(_ status: Status, publish: OutgoingActivity?) async throws {
        try await transaction { connection in
            try await connection.query(
                """
                UPDATE statuses SET content = \(status.content), spoiler_text = \(status.spoilerText), sensitive = \(status.sensitive),
                    title = \(status.title), language = \(status.language), edited_at = coalesce(\(status.editedAt), now())
                WHERE id = \(status.id)
                """, logger: logger)
            try await replaceMentionsAndTags(status, on: connection)
            // Local accounts that boosted the post hear of each edit (the newest one on top).
            try await connection.query(NotificationSQL.update(statusID: status.id, authorID: status.accountID), logger: logger)
            try await record(publish, on: connection)
        }
    }

    public func delete(id: Int64, publish: OutgoingActivity?) async throws {
        try await transaction { connection in
            try await connection.query(
                "INSERT INTO tombstones (uri) SELECT uri FROM statuses WHERE id = \(id) ON CONFLICT DO NOTHING", logger: logger)
            try await record(publish, on: connection)
            try await connection.query("DELETE FROM statuses WHERE id = \(id)", logger: logger)
        }
    }

    public func boosterIDs(of statusID: Int64) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in try await client.query("SELECT account_id FROM statuses WHERE reblog_of_id = \(statusID)", logger: logger)
            .decode(Int64.self)
        {
            ids.append(id)
        }
        return ids
    }

    public func isTombstoned(uri: String) async throws -> Bool {
        !(try await all(Prepared.Tombstoned(uri: uri))).isEmpty
    }

    public func favourite(accountID: Int64, statusID: Int64, uri: String?, publish: OutgoingActivity?) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO favourites (account_id, status_id, uri) VALUES (\(accountID), \(statusID), \(uri))
                ON CONFLICT DO NOTHING RETURNING id
                """, logger: logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            if inserted {
                try await record(publish, on: connection)
                try await connection.query(NotificationSQL.favourite(statusID: statusID, by: accountID), logger: logger)
            }
            return inserted
        }
    }

    public func unfavourite(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM favourites WHERE account_id = \(accountID) AND status_id = \(statusID) RETURNING uri", logger: logger)
            var removedURI: String??
            for try await uri in rows.decode(String?.self) { removedURI = .some(uri) }
            guard let removedURI else { return false }
            var activity = publish
            if activity?.relatedURI == nil { activity?.relatedURI = removedURI }
            try await record(activity, on: connection)
            return true
        }
    }

    public func findFavourite(uri: String) async throws -> (accountID: Int64, statusID: Int64)? {
        let rows = try await client.query("SELECT account_id, status_id FROM favourites WHERE uri = \(uri)", logger: logger)
        for try await (account, status) in rows.decode((Int64, Int64).self) { return (account, status) }
        return nil
    }

    public func counts(statusID: Int64) async throws -> (favourites: Int, reblogs: Int, replies: Int) {
        let counts = try await counts(statusIDs: [statusID])[statusID] ?? StatusCounts()
        return (counts.favourites, counts.reblogs, counts.replies)
    }

    public func counts(statusIDs: [Int64]) async throws -> [Int64: StatusCounts] {
        guard !statusIDs.isEmpty else { return [:] }
        return try await PostgresTimelineRepository(base: base).details(viewerID: -1, statusIDs: statusIDs).mapValues(\.counts)
    }

    public func statuses(accountID: Int64, limit: Int, maxID: Int64?, visibilities: [Visibility], federated: Bool) async throws -> [Status] {
        try await statuses(
            try await client.query(
                """
                SELECT \(unescaped: Self.statusColumns) FROM statuses s
                WHERE s.account_id = \(accountID) AND s.visibility = ANY(\(visibilities.map(\.rawValue))) AND s.id < \(maxID ?? Int64.max)
                    AND NOT (\(federated) AND s.local_only)
                ORDER BY s.id DESC LIMIT \(limit)
                """, logger: logger))
    }

    public func countStatuses(accountID: Int64, visibilities: [Visibility], federated: Bool) async throws -> Int {
        let rows = try await client.query(
            """
            SELECT count(*) FROM statuses WHERE account_id = \(accountID) AND visibility = ANY(\(visibilities.map(\.rawValue)))
                AND NOT (\(federated) AND local_only)
            """,
            logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    public func pin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "INSERT INTO status_pins (account_id, status_id) VALUES (\(accountID), \(statusID)) ON CONFLICT DO NOTHING RETURNING id",
                logger: logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            if inserted { try await record(publish, on: connection) }
            return inserted
        }
    }

    public func unpin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM status_pins WHERE account_id = \(accountID) AND status_id = \(statusID) RETURNING id", logger: logger)
            var removed = false
            for try await _ in rows { removed = true }
            if removed { try await record(publish, on: connection) }
            return removed
        }
    }

    public func pinnedStatuses(accountID: Int64) async throws -> [Status] {
        try await statuses(
            try await client.query(
                """
                SELECT \(unescaped: Self.statusColumns) FROM status_pins p JOIN statuses s ON s.id = p.status_id
                WHERE p.account_id = \(accountID) ORDER BY p.id DESC LIMIT 40
                """, logger: logger))
    }

    public func reblog(accountID: Int64, of statusID: Int64) async throws -> Status? {
        try await statuses(
            try await client.query(
                "SELECT \(unescaped: Self.statusColumns) FROM statuses s WHERE s.account_id = \(accountID) AND s.reblog_of_id = \(statusID)",
                logger: logger)
        ).first
    }
}
