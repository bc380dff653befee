import struct Foundation.Date

/// The durable queues: incoming activities, the outbox and its deliveries.
public protocol ActivityQueueRepository: Sendable {
    /// Stores an incoming activity unless one with the same id was stored before; returns
    /// whether it was new.
    func enqueueInbox(activityURI: String, type: String, actorURI: String, recipientAccountID: Int64?, payload: String) async throws -> Bool
    /// Takes up to `limit` due items, leasing them for `lease`.
    func claimInbox(limit: Int, lease: Duration) async throws -> [InboxItem]
    /// Ends every lease on pending inbox items or deliveries (taken by a process that died), so
    /// they are due at once; returns how many. Only for a process that alone works the queues.
    func releaseLeases(inbox: Bool) async throws -> Int
    /// Marks items processed, one statement for a batch. An item processed but not yet marked
    /// when the process dies is processed again after its lease: handlers are idempotent.
    func completeInbox(ids: [Int64]) async throws
    /// Records a failure; retries at `retryAt`, or gives up (`failed`) when nil.
    func failInbox(id: Int64, error: String, retryAt: Date?) async throws

    /// Records an activity to publish on its own (no other write with it).
    func publish(_ activity: OutgoingActivity) async throws -> PublishedActivity
    func findActivity(uri: String) async throws -> PublishedActivity?
    func findActivity(id: Int64) async throws -> PublishedActivity?
    /// Takes one activity awaiting fan-out and, in one transaction, stores what `render`
    /// returns: the JSON payload and the inboxes to deliver to. Returns false when none waits.
    func fanOutNext(_ render: @Sendable (PublishedActivity) async throws -> (payload: String, inboxes: [String])) async throws -> Bool

    func claimDeliveries(limit: Int, lease: Duration) async throws -> [Delivery]
    /// Marks a batch of deliveries done with the status each got, in one statement. One
    /// delivered but not marked when the process dies is sent again after its lease (peers
    /// drop activities they have seen by id).
    func markDelivered(_ delivered: [(id: Int64, status: Int)]) async throws
    func scheduleRetry(id: Int64, at: Date, status: Int?, error: String) async throws
    func markDead(id: Int64, status: Int?, error: String) async throws
    func deliveries(state: DeliveryState?, limit: Int) async throws -> [Delivery]
    /// Makes a delivery due now (a dead one pending again) and writes `audit` (its before and
    /// after filled in) in the same transaction; nil when there is no such delivery or it was
    /// delivered.
    func retryDelivery(id: Int64, audit: AuditRecord) async throws -> Delivery?
}
