import Domain
import PostgresNIO

/// The statements every client-API page runs, prepared once per connection: PostgreSQL then
/// parses and plans them once instead of on every request (planning the home timeline alone
/// took longer than running it). Their SQL is fixed; paging bounds are parameters.
enum Prepared {
    /// The newest posts of a timeline below `maxID` and above `sinceID` (descending pages;
    /// `min_id` pages, which read upwards, use the general query).
    struct HomeTimeline: PostgresPreparedStatement {
        static let sql = """
            SELECT \(PostgresStatusRepository.statusColumns) FROM statuses s
            WHERE (\(PostgresTimelineRepository.homeFilter)) AND \(PostgresTimelineRepository.notSuspended)
            AND s.id < $2 AND s.id > $3 ORDER BY s.id DESC LIMIT $4
            """
        typealias Row = Status
        var viewerID: Int64
        var page: PageRequest

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(viewerID)
            bindings.append(page.maxID ?? Int64.max)
            bindings.append(page.sinceID ?? Int64.min)
            bindings.append(Int64(max(1, min(page.limit, 40))))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Status { try PostgresStatusRepository.decodeStatus(row) }
    }

    struct AccountTimeline: PostgresPreparedStatement {
        static let sql = """
            SELECT \(PostgresStatusRepository.statusColumns) FROM statuses s
            WHERE (\(PostgresTimelineRepository.accountFilter)) AND (NOT $3 OR s.in_reply_to_uri IS NULL) AND \(PostgresTimelineRepository.notSuspended)
            AND s.id < $4 AND s.id > $5 ORDER BY s.id DESC LIMIT $6
            """
        typealias Row = Status
        var accountID: Int64
        var viewerID: Int64
        var excludeReplies: Bool
        var page: PageRequest

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(accountID)
            bindings.append(viewerID)
            bindings.append(excludeReplies)
            bindings.append(page.maxID ?? Int64.max)
            bindings.append(page.sinceID ?? Int64.min)
            bindings.append(Int64(max(1, min(page.limit, 40))))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Status { try PostgresStatusRepository.decodeStatus(row) }
    }

    struct StatusesByID: PostgresPreparedStatement {
        static let sql = "SELECT \(PostgresStatusRepository.statusColumns) FROM statuses s WHERE s.id = ANY($1)"
        typealias Row = Status
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings { Prepared.bindings(ids) }

        func decodeRow(_ row: PostgresRow) throws -> Status { try PostgresStatusRepository.decodeStatus(row) }
    }

    struct AccountsByID: PostgresPreparedStatement {
        static let sql = "SELECT \(PostgresAccountRepository.columns) FROM accounts WHERE id = ANY($1)"
        typealias Row = Account
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings { Prepared.bindings(ids) }

        func decodeRow(_ row: PostgresRow) throws -> Account { try PostgresAccountRepository.decode(row) }
    }

    /// Followers, followed accounts and posts of the account `a`.
    static let accountCountColumns = """
        (SELECT count(*) FROM follows WHERE target_account_id = a.id AND state = 'accepted'),
        (SELECT count(*) FROM follows WHERE account_id = a.id AND state = 'accepted'),
        coalesce((SELECT statuses_count FROM account_stats WHERE account_id = a.id), 0)
        """

    static func decodeAccountCounts(_ row: PostgresRow, from first: Int) throws -> AccountCounts {
        let columns = row.makeRandomAccess()
        return AccountCounts(
            followers: try columns[first].decode(Int.self), following: try columns[first + 1].decode(Int.self),
            statuses: try columns[first + 2].decode(Int.self))
    }

    struct AccountCountsByID: PostgresPreparedStatement {
        static let sql = "SELECT a.id, \(Prepared.accountCountColumns) FROM unnest($1::bigint[]) AS a(id)"
        typealias Row = (Int64, AccountCounts)
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings { Prepared.bindings(ids) }

        func decodeRow(_ row: PostgresRow) throws -> (Int64, AccountCounts) {
            (try row.decode(Int64.self), try Prepared.decodeAccountCounts(row, from: 1))
        }
    }

    /// The accounts a page of posts shows, with their counts: its authors by id and the
    /// accounts its posts mention by URI.
    struct AccountsWithCounts: PostgresPreparedStatement {
        static let sql = """
            SELECT \(PostgresAccountRepository.columns), \(Prepared.accountCountColumns)
            FROM accounts a WHERE a.id = ANY($1) OR a.uri = ANY($2)
            """
        typealias Row = (Account, AccountCounts)
        var ids: [Int64]
        var uris: [String]

        func makeBindings() throws -> PostgresBindings { Prepared.bindings(ids, uris) }

        func decodeRow(_ row: PostgresRow) throws -> (Account, AccountCounts) {
            (try PostgresAccountRepository.decode(row), try Prepared.decodeAccountCounts(row, from: PostgresAccountRepository.columnCount))
        }
    }

    /// For each post of a page: its counts, what viewer `$1` did to it (favourited, boosted,
    /// bookmarked, pinned) and the author of the post it answers.
    struct StatusDetailsByID: PostgresPreparedStatement {
        static let sql = """
            SELECT s.id,
                   (SELECT count(*) FROM favourites WHERE status_id = s.id),
                   (SELECT count(*) FROM statuses WHERE reblog_of_id = s.id),
                   (SELECT count(*) FROM statuses WHERE in_reply_to_id = s.id),
                   EXISTS (SELECT 1 FROM favourites WHERE account_id = $1 AND status_id = s.id),
                   EXISTS (SELECT 1 FROM statuses WHERE account_id = $1 AND reblog_of_id = s.id),
                   EXISTS (SELECT 1 FROM bookmarks WHERE account_id = $1 AND status_id = s.id),
                   EXISTS (SELECT 1 FROM status_pins WHERE account_id = $1 AND status_id = s.id),
                   (SELECT p.account_id FROM statuses r JOIN statuses p ON p.id = r.in_reply_to_id WHERE r.id = s.id)
            FROM unnest($2::bigint[]) AS s(id)
            """
        typealias Row = (Int64, StatusDetails)
        var viewerID: Int64
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings { Prepared.bindings(viewerID, ids) }

        func decodeRow(_ row: PostgresRow) throws -> (Int64, StatusDetails) {
            let (id, favourites, reblogs, replies, favourited, reblogged, bookmarked, pinned, parentAccountID) =
                try row.decode((Int64, Int, Int, Int, Bool, Bool, Bool, Bool, Int64?).self)
            return (
                id,
                StatusDetails(
                    counts: StatusCounts(favourites: favourites, reblogs: reblogs, replies: replies), favourited: favourited,
                    reblogged: reblogged, bookmarked: bookmarked, pinned: pinned, parentAccountID: parentAccountID)
            )
        }
    }
}

/// The inbox's statements: every signed POST finds its signer and queues the activity; every
/// processed post is looked up, inserted and announced to those it notifies.
extension Prepared {
    struct AccountByURI: PostgresPreparedStatement {
        static let sql = "SELECT \(PostgresAccountRepository.columns) FROM accounts WHERE uri = $1"
        typealias Row = Account
        var uri: String
        func makeBindings() throws -> PostgresBindings { Prepared.bindings(uri) }
        func decodeRow(_ row: PostgresRow) throws -> Account { try PostgresAccountRepository.decode(row) }
    }

    struct AccountByKeyID: PostgresPreparedStatement {
        static let sql = """
            SELECT \(PostgresAccountRepository.columns) FROM accounts WHERE public_key_id = $1 ORDER BY fetched_at DESC NULLS LAST LIMIT 1
            """
        typealias Row = Account
        var keyID: String
        func makeBindings() throws -> PostgresBindings { Prepared.bindings(keyID) }
        func decodeRow(_ row: PostgresRow) throws -> Account { try PostgresAccountRepository.decode(row) }
    }

    struct StatusByURI: PostgresPreparedStatement {
        static let sql = "SELECT \(PostgresStatusRepository.statusColumns) FROM statuses s WHERE s.uri = $1"
        typealias Row = Status
        var uri: String
        func makeBindings() throws -> PostgresBindings { Prepared.bindings(uri) }
        func decodeRow(_ row: PostgresRow) throws -> Status { try PostgresStatusRepository.decodeStatus(row) }
    }

    struct Tombstoned: PostgresPreparedStatement {
        static let sql = "SELECT 1 FROM tombstones WHERE uri = $1"
        typealias Row = Int
        var uri: String
        func makeBindings() throws -> PostgresBindings { Prepared.bindings(uri) }
        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    struct EnqueueInbox: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO inbox_items (activity_uri, activity_type, actor_uri, recipient_account_id, payload)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (activity_uri) DO NOTHING RETURNING id
            """
        typealias Row = Int64
        var activityURI: String
        var type: String
        var actorURI: String
        var recipientAccountID: Int64?
        var payload: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(activityURI)
            bindings.append(type)
            bindings.append(actorURI)
            bindings.append(recipientAccountID)
            bindings.append(payload)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// A new post in one statement: the row (unless its URI is taken or was deleted: then no
    /// id comes back), its mentions and tags; replies that arrived before it join its thread;
    /// local accounts hear of mentions of them, boosts of their posts and, when they asked, new
    /// posts of those they follow.
    struct InsertPost: PostgresPreparedStatement {
        static let sql = """
            WITH ins AS (
                INSERT INTO statuses (id, uri, url, account_id, local, object_type, in_reply_to_id, in_reply_to_uri, reblog_of_id,
                    context_uri, title, content, spoiler_text, sensitive, visibility, language, to_uris, cc_uris, published_at,
                    edited_at, local_only)
                SELECT CASE WHEN $1::bigint = 0 THEN kith_next_id() ELSE $1::bigint END, $2::text, $3::text, $4::bigint, $5::boolean,
                    $6::text, $7::bigint, $8::text, $9::bigint, $10::text, $11::text, $12::text, $13::text, $14::boolean, $15::text,
                    $16::text, $17::text[], $18::text[], $19::timestamptz, $20::timestamptz, $21::boolean
                WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE uri = $2)
                ON CONFLICT (uri) DO NOTHING
                RETURNING id),
            mentioned AS (
                INSERT INTO status_mentions (status_id, account_uri, name)
                SELECT ins.id, m.uri, m.name FROM ins, unnest($22::text[], $23::text[]) AS m(uri, name) ON CONFLICT DO NOTHING),
            tagged AS (
                INSERT INTO status_tags (status_id, name) SELECT ins.id, t.name FROM ins, unnest($24::text[]) AS t(name) ON CONFLICT DO NOTHING),
            adopted AS (
                UPDATE statuses SET in_reply_to_id = ins.id FROM ins WHERE statuses.in_reply_to_uri = $2 AND statuses.in_reply_to_id IS NULL),
            notified AS (
                INSERT INTO notifications (account_id, from_account_id, type, status_id)
            """ + NotificationSQL.mention + "\nUNION ALL\n" + NotificationSQL.reblog + "\nUNION ALL\n" + NotificationSQL.status + """

                ON CONFLICT DO NOTHING)
            SELECT id FROM ins
            """
        typealias Row = Int64
        var status: Status

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(status.id)
            bindings.append(status.uri)
            bindings.append(status.url)
            bindings.append(status.accountID)
            bindings.append(status.local)
            bindings.append(status.objectType)
            bindings.append(status.inReplyToID)
            bindings.append(status.inReplyToURI)
            bindings.append(status.reblogOfID)
            bindings.append(status.contextURI)
            bindings.append(status.title)
            bindings.append(status.content)
            bindings.append(status.spoilerText)
            bindings.append(status.sensitive)
            bindings.append(status.visibility.rawValue)
            bindings.append(status.language)
            bindings.append(status.to)
            bindings.append(status.cc)
            bindings.append(status.publishedAt)
            bindings.append(status.editedAt)
            bindings.append(status.localOnly)
            let mentions = PostgresStatusRepository.storedMentions(status)
            bindings.append(mentions.map(\.uri))
            bindings.append(mentions.map(\.name))
            bindings.append(PostgresStatusRepository.storedTags(status))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// The bindings of a statement with one parameter.
    static func bindings<Value: PostgresNonThrowingEncodable>(_ value: Value) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(value)
        return bindings
    }

    /// The bindings of a statement with two parameters.
    static func bindings<First: PostgresNonThrowingEncodable, Second: PostgresNonThrowingEncodable>(
        _ first: First, _ second: Second
    ) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(first)
        bindings.append(second)
        return bindings
    }
}
