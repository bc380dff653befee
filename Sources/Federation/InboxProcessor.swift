import ActivityStreams
import Domain
import Foundation
import Logging
import ServiceLifecycle

/// The inbox worker: claims stored inbox items in batches (an actor's in the order they came,
/// different actors' side by side), hands each to the handler of its type, and retries an item
/// whose handler needed a peer that did not answer. It knows no verb: what each type means is
/// its handler's (`Inbound/`). An item of a type no handler takes is kept and marked done.
public final class InboxProcessor: Service, Sendable {
    let queue: any ActivityQueueRepository
    let handlers: InboundHandlers
    let context: InboundContext
    let settings: FederationSettings
    let logger: Logger
    public let signal = WakeSignal()
    static let maxAttempts = 8

    public init(handlers: InboundHandlers, context: InboundContext, settings: FederationSettings, logger: Logger) {
        self.queue = context.queue
        self.handlers = handlers
        self.context = context
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        if settings.ownsQueues, let released = try? await queue.releaseLeases(inbox: true), released > 0 {
            logger.notice("inbox items of a stopped process taken up again", metadata: ["count": "\(released)"])
        }
        await runWorkerLoop(signal: signal, logger: logger, name: "inbox") { try await self.runOnce() }
    }

    /// Processes one batch of due items; returns whether there was any.
    @discardableResult
    public func runOnce(limit: Int = 64) async throws -> Bool {
        let items = try await queue.claimInbox(limit: limit, lease: .seconds(120))
        // The batch's actors in one query, read fresh (a suspension made meanwhile counts).
        let actors = try await context.accounts.accounts(uris: items.map(\.actorURI))
        let known = Dictionary(actors.map { ($0.uri, $0) }, uniquingKeysWith: { first, _ in first })
        // One actor's activities in the order they came (a Create before its Update or Delete);
        // different actors' side by side, so a batch waits on the database in parallel.
        var chains: [String: [InboxItem]] = [:]
        for item in items { chains[item.actorURI, default: []].append(item) }
        let done = await withTaskGroup(of: [Int64].self) { group in
            for (actorURI, chain) in chains {
                group.addTask {
                    var done: [Int64] = []
                    var actor = known[actorURI]
                    for item in chain {
                        if await self.process(item, actor: actor) { done.append(item.id) }
                        // Only a post leaves its author as it was; anything else is read again.
                        if item.activityType != "Create" { actor = nil }
                    }
                    return done
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        try await queue.completeInbox(ids: done)
        return !items.isEmpty
    }

    /// Handles one item; true when it is done (the caller marks the batch), false when it was
    /// scheduled for a retry or marked failed.
    func process(_ item: InboxItem, actor: Account? = nil) async -> Bool {
        let metadata: Logger.Metadata = ["activity_id": "\(item.activityURI)", "type": "\(item.activityType)"]
        do {
            let activity = try ASActivity(JSONValue.parse(Array(item.payload.utf8)))
            try await handle(activity, actor: actor)
            return true
        } catch let error as KithError where error.kind == .unavailable && item.attempts < Self.maxAttempts {
            // A peer we needed (a parent post, an actor) did not answer: try again later.
            let delay = min(30 * pow(2, Double(item.attempts - 1)), 3600) * settings.deliveryBackoffScale
            try? await queue.failInbox(id: item.id, error: error.description, retryAt: Date().addingTimeInterval(delay))
            logger.debug("inbox item will be retried", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        } catch {
            try? await queue.failInbox(id: item.id, error: "\(error)", retryAt: nil)
            logger.notice("inbox item failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        return false
    }

    /// Hands the activity to the handler of its type, with its actor.
    /// `actor`: the account of the activity's actor when the caller has just read it.
    func handle(_ activity: ASActivity, actor prefetched: Account? = nil) async throws {
        guard let handler = handlers[activity.type] else {
            logger.debug("activity type ignored", metadata: ["type": "\(activity.type)"])
            return
        }
        // The inbox verified the actor's key, so the actor is known unless deleted since.
        var known = prefetched?.uri == activity.actor ? prefetched : try await context.accounts.account(uri: activity.actor)
        if known == nil { known = try await context.resolver.actor(uri: activity.actor) }
        guard let actor = known else { throw KithError(.unavailable, "the actor \(activity.actor) is unknown") }
        // Nothing is taken from an account a moderator suspended.
        if actor.suspended { return }
        var context = context
        context.logger[metadataKey: "activity_id"] = .string(activity.id ?? "")
        context.logger[metadataKey: "type"] = .string(activity.type)
        context.logger[metadataKey: "actor"] = .string(actor.uri)
        try await withLogger(context.logger) { _ in try await handler.handle(activity, from: actor, in: context) }
    }
}
