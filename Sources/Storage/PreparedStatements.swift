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
            SELECT \(PostgresFederationStore.statusColumns) FROM statuses s
            WHERE (s.account_id = $1 OR s.account_id IN (SELECT target_account_id FROM follows WHERE account_id = $1 AND state = 'accepted'))
            AND \(PostgresFederationStore.visible(viewer: "$1")) AND \(PostgresFederationStore.notSilenced(viewer: "$1"))
            AND \(PostgresFederationStore.notSuspended)
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

        func decodeRow(_ row: PostgresRow) throws -> Status { try PostgresFederationStore.decodeStatus(row) }
    }

    struct AccountTimeline: PostgresPreparedStatement {
        static let sql = """
            SELECT \(PostgresFederationStore.statusColumns) FROM statuses s
            WHERE s.account_id = $1 AND \(PostgresFederationStore.visible(viewer: "$2"))
            AND (NOT $3 OR s.in_reply_to_uri IS NULL) AND \(PostgresFederationStore.notSuspended)
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

        func decodeRow(_ row: PostgresRow) throws -> Status { try PostgresFederationStore.decodeStatus(row) }
    }

    struct StatusesByID: PostgresPreparedStatement {
        static let sql = "SELECT \(PostgresFederationStore.statusColumns) FROM statuses s WHERE s.id = ANY($1)"
        typealias Row = Status
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Status { try PostgresFederationStore.decodeStatus(row) }
    }

    struct AccountsByID: PostgresPreparedStatement {
        static let sql = "SELECT \(PostgresAccountRepository.columns) FROM accounts WHERE id = ANY($1)"
        typealias Row = Account
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Account { try PostgresAccountRepository.decode(row) }
    }

    struct AccountCountsByID: PostgresPreparedStatement {
        static let sql = """
            SELECT a.id,
                   (SELECT count(*) FROM follows WHERE target_account_id = a.id AND state = 'accepted'),
                   (SELECT count(*) FROM follows WHERE account_id = a.id AND state = 'accepted'),
                   coalesce((SELECT statuses_count FROM account_stats WHERE account_id = a.id), 0)
            FROM unnest($1::bigint[]) AS a(id)
            """
        typealias Row = (Int64, AccountCounts)
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Int64, AccountCounts) {
            let (id, followers, following, statuses) = try row.decode((Int64, Int, Int, Int).self)
            return (id, AccountCounts(followers: followers, following: following, statuses: statuses))
        }
    }

    struct StatusCountsByID: PostgresPreparedStatement {
        static let sql = """
            SELECT s.id,
                   (SELECT count(*) FROM favourites WHERE status_id = s.id),
                   (SELECT count(*) FROM statuses WHERE reblog_of_id = s.id),
                   (SELECT count(*) FROM statuses WHERE in_reply_to_id = s.id)
            FROM unnest($1::bigint[]) AS s(id)
            """
        typealias Row = (Int64, StatusCounts)
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Int64, StatusCounts) {
            let (id, favourites, reblogs, replies) = try row.decode((Int64, Int, Int, Int).self)
            return (id, StatusCounts(favourites: favourites, reblogs: reblogs, replies: replies))
        }
    }

    /// What the viewer did to each post: favourited, boosted, bookmarked, pinned.
    struct Marks: PostgresPreparedStatement {
        static let sql = """
            SELECT 'f', status_id FROM favourites WHERE account_id = $1 AND status_id = ANY($2)
            UNION ALL SELECT 'r', reblog_of_id FROM statuses WHERE account_id = $1 AND reblog_of_id = ANY($2)
            UNION ALL SELECT 'b', status_id FROM bookmarks WHERE account_id = $1 AND status_id = ANY($2)
            UNION ALL SELECT 'p', status_id FROM status_pins WHERE account_id = $1 AND status_id = ANY($2)
            """
        typealias Row = (String, Int64)
        var viewerID: Int64
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(viewerID)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (String, Int64) { try row.decode((String, Int64).self) }
    }
}
