import PostgresNIO

/// The notifications Storage writes in the same statement as the change they tell of: one
/// named fragment per rule of `NotificationRules` (Core), each held to its rule by
/// `NotificationSQLTests`. Change a rule there and its fragment here together.
enum NotificationSQL {
    /// `NotificationRules.mention`, within a new post's statement (`ins`: the new row; `$4`: the
    /// author; `$22`: the mentioned actors' URIs).
    static let mention = """
        SELECT a.id, $4, 'mention', ins.id FROM ins, unnest($22::text[]) AS m(uri) JOIN accounts a ON a.uri = m.uri
        WHERE a.domain IS NULL AND a.id <> $4
        """

    /// `NotificationRules.reblog`, within a new post's statement (`$9`: the boosted post).
    static let reblog = """
        SELECT o.account_id, $4, 'reblog', o.id FROM ins, statuses o JOIN accounts a ON a.id = o.account_id
        WHERE o.id = $9 AND a.domain IS NULL AND o.account_id <> $4
        """

    /// `NotificationRules.status`, within a new post's statement (`$8`: the URI of the post it
    /// answers; `$15`: its visibility).
    static let status = """
        SELECT f.account_id, $4, 'status', ins.id FROM ins, follows f JOIN accounts a ON a.id = f.account_id
        WHERE f.target_account_id = $4 AND f.notify AND f.state = 'accepted' AND a.domain IS NULL
            AND $9::bigint IS NULL AND $15 <> 'direct'
            AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM statuses p WHERE p.uri = $8 AND p.account_id = $4))
        """

    /// `NotificationRules.favourite`.
    static func favourite(statusID: Int64, by accountID: Int64) -> PostgresQuery {
        """
        INSERT INTO notifications (account_id, from_account_id, type, status_id)
        SELECT s.account_id, \(accountID), 'favourite', s.id FROM statuses s JOIN accounts a ON a.id = s.account_id
        WHERE s.id = \(statusID) AND a.domain IS NULL AND s.account_id <> \(accountID)
        ON CONFLICT DO NOTHING
        """
    }

    /// `NotificationRules.follow`: `follow` or `follow_request`, by the follow's state.
    static func follow(targetAccountID: Int64, by accountID: Int64, accepted: Bool) -> PostgresQuery {
        """
        INSERT INTO notifications (account_id, from_account_id, type)
        SELECT a.id, \(accountID), \(accepted ? "follow" : "follow_request") FROM accounts a
        WHERE a.id = \(targetAccountID) AND a.domain IS NULL
        ON CONFLICT DO NOTHING
        """
    }

    /// `NotificationRules.update`: the newest edit on top (an earlier one's notification moves up).
    static func update(statusID: Int64, authorID: Int64) -> PostgresQuery {
        """
        INSERT INTO notifications (account_id, from_account_id, type, status_id)
        SELECT r.account_id, \(authorID), 'update', \(statusID) FROM statuses r JOIN accounts a ON a.id = r.account_id
        WHERE r.reblog_of_id = \(statusID) AND a.domain IS NULL AND r.account_id <> \(authorID)
        ON CONFLICT (account_id, type, from_account_id, status_id) DO UPDATE SET id = kith_next_id(), created_at = now()
        """
    }
}
