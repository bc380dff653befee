import Foundation

/// The database's own share of a request, as pgbench scripts made of the very statements the
/// node runs (so the benchmark can show what the database alone allows on the same machine).
public enum BenchScripts {
    /// One home timeline page of reader `viewerID` (first page, 20 posts): the token and the
    /// reader's account, the timeline, the posts' details, and their authors with counts. Run
    /// with `pgbench -M prepared`: the page's ids pass between statements as parameters.
    public static func homePage(viewerID: Int64, tokenHash: String) -> String {
        """
        \\set viewer \(viewerID)
        \\set newest 9223372036854775807
        \\set oldest -9223372036854775807 - 1
        \\set limit 20
        \(pgbench(PostgresOAuthRepository.TokenByHash.sql, ["'\(tokenHash.filter(\.isHexDigit))'"]));
        \(pgbench(Prepared.AccountsByID.sql, ["ARRAY[:viewer::bigint]"]));
        SELECT coalesce(array_agg(id), '{}') AS ids, coalesce(array_agg(DISTINCT account_id), '{}') AS authors FROM (\(
            pgbench(Prepared.HomeTimeline.sql, [":viewer", ":newest", ":oldest", ":limit"]))) page \\gset
        \(pgbench(Prepared.StatusDetailsByID.sql, [":viewer", ":ids::bigint[]"]));
        \(pgbench(Prepared.AccountsWithCounts.sql, [":authors::bigint[]", "'{}'::text[]"]));

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
