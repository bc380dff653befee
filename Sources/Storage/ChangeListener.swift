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
        var woken = false
        var sleeper: CheckedContinuation<Void, Never>?
    }

    private let waiting = Mutex(Waiting())

    /// Whether it reads the log into `clock`; when not (caching off), it only prunes the log.
    let follows: Bool

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
            for fence in self.takeFences() { fence.resume() }
        }
    }

    /// What a read has seen: every transaction below `next` that is not `running` had ended.
    struct Horizon {
        var next: String
        var running: String
    }

    /// Records the changes of the transactions that ended since `last` (those that began after it
    /// or were running then) and returns the new horizon, from the same snapshot. The first read
    /// (`last` nil) records nothing: starting to follow makes everything read before stale.
    func read(after last: Horizon?) async throws -> Horizon {
        // The bounds are written into the statement, not bound: the connections plan bound
        // statements generically, which would scan the whole log instead of its index. They are
        // PostgreSQL's own transaction ids, checked to be digits (and braces and commas) only.
        var since = "false"
        if let last {
            guard last.next.allSatisfy({ $0.isASCII && $0.isNumber }), last.running.allSatisfy({ ($0.isASCII && $0.isNumber) || "{},".contains($0) }) else {
                throw KithError(.internalError, "unexpected snapshot bounds \(last)")
            }
            since = "c.xid >= '\(last.next)'::xid8 OR c.xid = ANY('\(last.running)'::xid8[])"
        }
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT pg_snapshot_xmax(h.s)::text, (SELECT coalesce(array_agg(x)::text, '{}') FROM pg_snapshot_xip(h.s) x), c.keys
                    FROM (SELECT pg_current_snapshot() AS s) h
                    LEFT JOIN changes c ON \(since)
                    """), logger: logger)
        var horizon: Horizon?
        var keys: [String] = []
        for try await (next, running, payload) in rows.decode((String, String, String?).self) {
            horizon = Horizon(next: next, running: running)
            if let payload { keys.append(payload) }
        }
        guard let horizon else { throw KithError(.internalError, "no snapshot") }
        if !keys.isEmpty { clock.record(keys.joined(separator: ",")) }
        return horizon
    }

    func prune() async throws {
        try await client.query(
            PostgresQuery(unsafeSQL: "DELETE FROM changes WHERE at < now() - interval '\(Self.retention)'"), logger: logger)
    }

    public func fence() async {
        guard clock.isFollowing else { return }
        await withCheckedContinuation { continuation in
            waiting.withLock { $0.fences.append(continuation) }
            wake()
        }
    }

    /// Waits for `duration`, or less when a fence asks for a read.
    func sleep(_ duration: Duration) async {
        let timer = Task {
            try? await Task.sleep(for: duration)
            self.wake()
        }
        await withCheckedContinuation { continuation in
            let now = waiting.withLock { waiting in
                if waiting.woken {
                    waiting.woken = false
                    return true
                }
                waiting.sleeper = continuation
                return false
            }
            if now { continuation.resume() }
        }
        timer.cancel()
    }

    func wake() {
        let sleeper = waiting.withLock { waiting in
            guard let sleeper = waiting.sleeper else {
                waiting.woken = true
                return nil as CheckedContinuation<Void, Never>?
            }
            waiting.sleeper = nil
            return sleeper
        }
        sleeper?.resume()
    }

    /// The fences waiting now, no longer waiting here.
    func takeFences() -> [CheckedContinuation<Void, Never>] {
        waiting.withLock { waiting in
            defer { waiting.fences = [] }
            return waiting.fences
        }
    }
}
