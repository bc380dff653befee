import Foundation

/// The database's own share of a request, as pgbench scripts made of the very statements the
/// node runs (so the benchmark can show what the database alone allows on the same machine).
public enum BenchScripts {
    /// One home timeline page of reader `viewerID` (first page, 20 posts): the token with the
    /// reader's account, the timeline, the posts' details, and their authors with counts. Run
    /// with `pgbench -M prepared`: the page's ids pass between statements as parameters.
    public static func homePage(viewerID: Int64, tokenHash: String) -> String {
        """
        \\set viewer \(viewerID)
        \\set newest 9223372036854775807
        \\set oldest -9223372036854775807 - 1
        \\set limit 20
        \(pgbench(PostgresOAuthRepository.TokenByHash.sql, ["'\(tokenHash.filter(\.isHexDigit))'"]));
        SELECT coalesce(array_agg(id), '{}') AS ids, coalesce(array_agg(DISTINCT account_id), '{}') AS authors FROM (\(
            pgbench(Prepared.HomeTimeline.sql, [":viewer", ":newest", ":oldest", ":limit"]))) page \\gset
        \(pgbench(Prepared.StatusDetailsByID.sql, [":viewer", ":ids::bigint[]"]));
        \(pgbench(Prepared.AccountsWithCounts.sql, [":authors::bigint[]", "'{}'::text[]"]));

        """
    }

    /// One incoming post, as the database sees it: the inbox's insert that precedes the 202,
    /// the actor's lookup, and the statement that stores the post. Each pgbench client posts as
    /// its own remote account (one of the first `actors`), as the node handles one actor's
    /// activities one after another. (The queue's claim and completion, one statement per
    /// batch, are left out.)
    public static func inboxCreate(actors: Int, payload: String, content: String) -> String {
        func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        // pgbench makes each use of a variable a parameter of its own: casts give them their types.
        let note = "('https://bench.invalid/notes/' || :n::text)"
        return """
            \\set n random(1, 9000000000000000000)
            \\set k :client_id % \(max(actors, 1))
            SELECT id AS author, uri AS actor FROM accounts WHERE domain IS NOT NULL ORDER BY id LIMIT 1 OFFSET :k \\gset
            \(pgbench(Prepared.EnqueueInbox.sql, ["'https://bench.invalid/activities/' || :n", "'Create'", "(:actor::text)", "NULL", literal(payload)]));
            \(pgbench(Prepared.AccountByURI.sql, ["(:actor::text)"]));
            \(pgbench(Prepared.InsertPost.sql, [
                "0", note, "NULL", "(:author::bigint)", "false", "'Note'", "NULL", "NULL", "NULL", "NULL", "NULL", literal(content), "''", "false",
                "'public'", "NULL", "'{https://www.w3.org/ns/activitystreams#Public}'", "'{}'", "now()", "NULL", "false", "'{}'", "'{}'", "'{}'",
            ]));

            """
    }

    /// `sql` with its parameters `$1`, `$2`, … replaced by `values`, on one line.
    static func pgbench(_ sql: String, _ values: [String]) -> String {
        var result = ""
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            if character == "$" {
                var end = sql.index(after: index)
                while end < sql.endIndex, sql[end].isNumber { end = sql.index(after: end) }
                if let number = Int(sql[sql.index(after: index)..<end]), number >= 1, number <= values.count {
                    result += values[number - 1]
                    index = end
                    continue
                }
            }
            result.append(character.isNewline ? " " : character)
            index = sql.index(after: index)
        }
        return result
    }
}
