import struct Foundation.Date

/// Follows and blocks.
public protocol SocialGraphRepository: Sendable {
    /// Inserts or updates the follow from `accountID` to `targetAccountID`; `publish` (an
    /// outgoing Follow, or the Accept of an incoming one) is recorded in the same transaction.
    func upsertFollow(accountID: Int64, targetAccountID: Int64, uri: String?, state: FollowState, publish: OutgoingActivity?) async throws -> Follow
    func findFollow(uri: String) async throws -> Follow?
    func findFollow(accountID: Int64, targetAccountID: Int64) async throws -> Follow?
    func setFollowState(id: Int64, state: FollowState, publish: OutgoingActivity?) async throws
    /// Deletes the follow, if any, and records `publish` (Undo or Reject); returns the removed follow.
    func removeFollow(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws -> Follow?
    /// Followers (or followed accounts), newest follow first, with the follow's id for paging.
    func followers(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)]
    func following(of accountID: Int64, state: FollowState, limit: Int, maxID: Int64?) async throws -> [(followID: Int64, account: Account)]
    func followCounts(of accountID: Int64) async throws -> (followers: Int, following: Int)
    /// Followers, followed accounts and posts of each account, in one query (for a page of
    /// entities); accounts without any are absent or zero.
    func accountCounts(ids: [Int64]) async throws -> [Int64: AccountCounts]
    /// The accounts with these ids or URIs, each with its counts, in one query (a page's
    /// authors and the accounts its posts mention).
    func accountsWithCounts(ids: [Int64], uris: [String]) async throws -> [(account: Account, counts: AccountCounts)]
    /// Distinct inboxes (shared inbox where the actor has one) of the remote accepted followers.
    func followerInboxes(of accountID: Int64) async throws -> [String]
    /// Records a block and severs follows both ways.
    func block(accountID: Int64, targetAccountID: Int64, uri: String?, publish: OutgoingActivity?) async throws
    func unblock(accountID: Int64, targetAccountID: Int64, publish: OutgoingActivity?) async throws
    func isBlocking(accountID: Int64, targetAccountID: Int64) async throws -> Bool
    /// Mutes (or re-mutes with new terms); local only, never federated.
    func mute(accountID: Int64, targetAccountID: Int64, _ mute: Mute) async throws
    func unmute(accountID: Int64, targetAccountID: Int64) async throws
    /// The mute in force, if any (expired mutes do not count).
    func mute(accountID: Int64, targetAccountID: Int64) async throws -> Mute?
    /// Turns the follower's notifications of new posts on or off (no-op without a follow).
    func setNotify(accountID: Int64, targetAccountID: Int64, notify: Bool) async throws
    /// Accounts blocked or muted by `accountID`, newest first, with the entry's id for paging.
    func blockedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)]
    func mutedAccounts(by accountID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account)]
}
