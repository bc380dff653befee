import struct Foundation.Date

/// Posts, likes and boosts.
public protocol StatusRepository: Sendable {
    /// A fresh time-sortable id, to name a post before it is stored.
    func nextID() async throws -> Int64
    /// Inserts a post (ignored when its uri exists or was deleted); returns the stored row and
    /// whether it was new. `publish` is recorded in the same transaction.
    func insert(_ status: Status, publish: OutgoingActivity?) async throws -> (status: Status, inserted: Bool)
    func status(id: Int64) async throws -> Status?
    /// The posts with these ids that exist, in no particular order.
    func statuses(ids: [Int64]) async throws -> [Status]
    /// The accounts that boosted post `statusID`.
    func boosterIDs(of statusID: Int64) async throws -> [Int64]
    func status(uri: String) async throws -> Status?
    /// Replaces content, spoiler, sensitivity and tags of an existing post.
    func update(_ status: Status, publish: OutgoingActivity?) async throws
    /// Deletes a post, leaves a tombstone, records `publish`.
    func delete(id: Int64, publish: OutgoingActivity?) async throws
    func isTombstoned(uri: String) async throws -> Bool
    func favourite(accountID: Int64, statusID: Int64, uri: String?, publish: OutgoingActivity?) async throws -> Bool
    func unfavourite(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool
    func findFavourite(uri: String) async throws -> (accountID: Int64, statusID: Int64)?
    /// Counts of favourites, boosts and replies.
    func counts(statusID: Int64) async throws -> (favourites: Int, reblogs: Int, replies: Int)
    /// The same counts for a page of posts, in one query.
    func counts(statusIDs: [Int64]) async throws -> [Int64: StatusCounts]
    /// An account's own posts and boosts, newest first (for the outbox collection); `federated`
    /// leaves local-only ones out.
    func statuses(accountID: Int64, limit: Int, maxID: Int64?, visibilities: [Visibility], federated: Bool) async throws -> [Status]
    func countStatuses(accountID: Int64, visibilities: [Visibility], federated: Bool) async throws -> Int
    /// Pins a post to its author's profile (false when it already was); `publish` (Add) is
    /// recorded in the same transaction.
    func pin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool
    /// Unpins (false when it was not pinned); `publish` (Remove) recorded with it.
    func unpin(accountID: Int64, statusID: Int64, publish: OutgoingActivity?) async throws -> Bool
    /// An account's pinned posts, most recently pinned first.
    func pinnedStatuses(accountID: Int64) async throws -> [Status]
    /// The account's boost of a post, if any.
    func reblog(accountID: Int64, of statusID: Int64) async throws -> Status?
}
