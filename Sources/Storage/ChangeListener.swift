import Domain
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Follows the database's change log (table `changes`, written by the triggers of migration
/// 0012 when accounts, posts, follows, favourites, tokens … change) and records each change in
/// `clock`. It reads the new rows every `interval`, and at once when a fence asks.
///
/// Each read remembers its snapshot's bounds: the next transaction id then, and the
/// transactions running then. The next read takes the rows of transactions from that id on and
/// of those that were running, so a transaction that commits late is not missed and none is
/// read twice, however long another transaction stays open. A read that fails stops the clock
/// from trusting anything until a read succeeds again (retried every second).
///
/// As a `ChangeFence` it waits for a read that began after the call: by then every change
/// committed before has been recorded.
public final class ChangeListener: Service, ChangeFence {
    public let clock: ChangeClock
    let client: PostgresClient
    let logger: Logger
    let interval: Duration
    /// Rows older than this are deleted (by any process, about every ten seconds).
    static let retention = "5 minutes"

    struct Waiting {
        var fences: [CheckedContinuation<Void, Never>] = []
        /// The read loop's pause between reads, while it pauses: which pause, and how to end it.
        var sleeper: (pause: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var pauses: UInt64 = 0
        /// The latest pause whose timer fired before the loop began waiting in it.
        var ended: UInt64 = 0
        /// The loop has ended: fences return at once.
        var stopped = false
    }

    private let waiting = Mutex(Waiting())

    /// Whether it reads the log into `clock`; when not (caching off), it only prunes the log.
    let follows: Bool
    private let readCount = Atomic<Int>(0)

    /// How many times the log has been read: about ten a second while nothing asks for more.
    public var reads: Int { readCount.load(ordering: .relaxed) }

    public init(client: PostgresClient, clock: ChangeClock, interval: Duration = .milliseconds(100), follows: Bool = true, logger: Logger) {
        self.client = client
        self.clock = clock
        self.interval = interval
        self.follows = follows
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            guard self.follows else {
                // Nothing here reads the log; it is only kept short.
                while !Task.isCancelled {
                    try? await self.prune()
                    try? await Task.sleep(for: .seconds(10))
                }
                return
            }
            var horizon: Horizon?
            var reads = 0
            while !Task.isCancelled {
                // The fences waiting now are answered by this read, which begins after them.
                let fences = self.takeFences()
                do {
                    if let last = horizon {
                        horizon = try await self.read(after: last)
                    } else {
                        horizon = try await self.read(after: nil)
                        self.clock.following(true)
                    }
                    reads += 1
                    self.readCount.add(1, ordering: .relaxed)
                    if reads % 100 == 0 { try await self.prune() }
                    for fence in fences { fence.resume() }
                    await self.sleep(self.interval)
                } catch {
                    if !Task.isCancelled {
                        self.logger.warning("reading database changes failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                    }
                    horizon = nil
                    self.clock.following(false)
                    for fence in fences { fence.resume() }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            self.clock.following(false)
            for fence in self.takeFences(stopping: true) { fence.resume() }
        }
    }

    /// What a read has seen: every transaction below `next` that is not `running` had ended.
    public struct Horizon: Sendable {
        public var next: String
        public var running: String

        public init(next: String, running: String) {
            self.next = next
            self.running = running
        }
    }

    /// Records the changes of the transactions that ended since `last` (those that began after it
    /// or were running then) and returns the new horizon, from the same snapshot. The first read
    /// (`last` nil) records nothing: starting to follow makes everything read before stale.
    func read(after last: Horizon?) async throws -> Horizon {
        var horizon: Horizon?
        var keys: [String] = []
        for try await (next, running, payload) in try await client.query(Self.readQuery(after: last), logger: logger).decode((String, String, String?).self) {
            horizon = Horizon(next: next, running: running)
            if let payload { keys.append(payload) }
        }
        guard let horizon else { throw KithError(.internalError, "no snapshot") }
        if !keys.isEmpty { clock.record(keys.joined(separator: ",")) }
        return horizon
    }

    /// One read of the log (migration 0013's function, which always goes through the xid index).
    public static func readQuery(after last: Horizon?) -> PostgresQuery {
        "SELECT xmax, xip, keys FROM kith_changes_since(\(last?.next)::text::xid8, \(last?.running ?? "{}")::text::xid8[])"
    }

    func prune() async throws {
        try await client.query(
            PostgresQuery(unsafeSQL: "DELETE FROM changes WHERE at < now() - interval '\(Self.retention)'"), logger: logger)
    }

    public func fence() async {
        guard clock.isFollowing else { return }
        await withCheckedContinuation { continuation in
            let (sleeper, now) = waiting.withLock { waiting in
                if waiting.stopped { return (nil as CheckedContinuation<Void, Never>?, true) }
                waiting.fences.append(continuation)
                defer { waiting.sleeper = nil }
                return (waiting.sleeper?.continuation, false)
            }
            if now { continuation.resume() }
            // A pause ends at once for a fence; a fence that comes during a read is answered by
            // the next read, which begins as soon as this one ends (the loop does not pause while
            // fences wait).
            sleeper?.resume()
        }
    }

    /// Pauses for `duration`, or less when a fence asks for a read. Only this pause's own timer
    /// or a fence ends it: a timer cancelled or firing late never cuts a later pause short.
    func sleep(_ duration: Duration) async {
        let pause = waiting.withLock { waiting in
            waiting.pauses &+= 1
            return waiting.pauses
        }
        let timer = Task {
            try? await Task.sleep(for: duration)
            self.endPause(pause)
        }
        await withCheckedContinuation { continuation in
            let now = waiting.withLock { waiting in
                guard waiting.fences.isEmpty, waiting.ended < pause else { return true }
                waiting.sleeper = (pause, continuation)
                return false
            }
            if now { continuation.resume() }
        }
        timer.cancel()
    }

    /// Ends pause number `pause` if the loop is still in it.
    func endPause(_ pause: UInt64) {
        let sleeper = waiting.withLock { waiting -> CheckedContinuation<Void, Never>? in
            guard let sleeper = waiting.sleeper, sleeper.pause == pause else {
                waiting.ended = max(waiting.ended, pause)
                return nil
            }
            waiting.sleeper = nil
            return sleeper.continuation
        }
        sleeper?.resume()
    }

    /// The fences waiting now, no longer waiting here; when `stopping`, later ones return at once.
    func takeFences(stopping: Bool = false) -> [CheckedContinuation<Void, Never>] {
        waiting.withLock { waiting in
            if stopping { waiting.stopped = true }
            defer { waiting.fences = [] }
            return waiting.fences
        }
    }
}
