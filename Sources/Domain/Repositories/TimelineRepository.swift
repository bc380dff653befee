import struct Foundation.Date

/// What the client API reads: timelines, threads, and what one viewer did to posts.
public protocol TimelineRepository: Sendable {
    /// Posts of the accounts `accountID` follows and its own, that it may see; newest first.
    func homeTimeline(accountID: Int64, page: PageRequest) async throws -> [Status]
    /// The accounts whose posts can be in `accountID`'s home timeline: the accounts it follows
    /// (accepted) and itself.
    func homeSources(accountID: Int64) async throws -> [Int64]
    /// Public posts (only local or only remote ones when `local` is set); newest first.
    /// Authors the viewer blocked or muted are left out.
    func publicTimeline(local: Bool?, viewerID: Int64?, page: PageRequest) async throws -> [Status]
    /// An account's posts and boosts that `viewerID` may see; newest first.
    func accountTimeline(accountID: Int64, viewerID: Int64?, excludeReplies: Bool, page: PageRequest) async throws -> [Status]
    /// The ancestors (oldest first) and descendants of a post.
    func context(statusID: Int64) async throws -> (ancestors: [Status], descendants: [Status])
    func bookmark(accountID: Int64, statusID: Int64) async throws
    func unbookmark(accountID: Int64, statusID: Int64) async throws
    /// Each post's counts, whether the viewer favourited, boosted, bookmarked or pinned it, and
    /// the author of the post it answers, in one query for a page.
    func details(viewerID: Int64, statusIDs: [Int64]) async throws -> [Int64: StatusDetails]
    /// Posts the account favourited or bookmarked, newest mark first, with the mark's id for paging.
    func favourited(accountID: Int64, page: PageRequest) async throws -> [(markID: Int64, status: Status)]
    func bookmarked(accountID: Int64, page: PageRequest) async throws -> [(markID: Int64, status: Status)]
    /// Accounts that favourited or boosted a post.
    func favouritedBy(statusID: Int64, limit: Int) async throws -> [Account]
    func rebloggedBy(statusID: Int64, limit: Int) async throws -> [Account]
    /// Accounts whose username or display name starts with `query` (case-insensitive), local first.
    /// Secret groups appear only to their members.
    func searchAccounts(_ query: String, viewerID: Int64?, limit: Int) async throws -> [Account]
    /// Public posts containing `query`, newest first.
    func searchStatuses(_ query: String, limit: Int) async throws -> [Status]
    /// Hashtags starting with `query`, with how many posts use them.
    func searchTags(_ query: String, limit: Int) async throws -> [(name: String, uses: Int)]
    /// Public posts tagged `tag`, newest first.
    func tagTimeline(_ tag: String, local: Bool?, viewerID: Int64?, page: PageRequest) async throws -> [Status]
    /// Domains of the remote nodes this node knows accounts of.
    func peers() async throws -> [String]
    /// Markers: timeline name → (last read id, version, updated).
    func markers(accountID: Int64) async throws -> [String: (lastReadID: Int64, version: Int, updatedAt: Date)]
    func setMarker(accountID: Int64, timeline: String, lastReadID: Int64) async throws
    func idempotentStatus(accountID: Int64, key: String) async throws -> Int64?
    func recordIdempotency(accountID: Int64, key: String, statusID: Int64) async throws
}
