import Domain
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Follows the database's change notifications (channel `kith_changes`, sent by the triggers of
/// migration 0012 when accounts, posts, follows, favourites, tokens … change) on one connection
/// of the pool and records them in `clock`. A dropped connection stops the clock from trusting
/// anything until the listener is back (it retries every second).
///
/// As a `ChangeFence` it sends a marker on the same channel and waits for it to come back:
/// PostgreSQL delivers notifications in commit order, so by then every change committed before
/// has been recorded.
public final class ChangeListener: Service, ChangeFence {
    public static let channel = "kith_changes"
    public let clock: ChangeClock
    let client: PostgresClient
    let logger: Logger
    let fenceTimeout: Duration
    private let waiting = Mutex<[String: CheckedContinuation<Void, Never>]>([:])

    public init(client: PostgresClient, clock: ChangeClock, fenceTimeout: Duration = .seconds(2), logger: Logger) {
        self.client = client
        self.clock = clock
        self.fenceTimeout = fenceTimeout
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            self.clock.following(true)
                            self.logger.debug("following database changes")
                            for try await notification in notifications { self.received(notification.payload) }
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        self.logger.warning("database change notifications interrupted", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                    }
                }
                self.clock.following(false)
                self.releaseAll()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    func received(_ payload: String) {
        if payload.hasPrefix("f") {
            let continuation = waiting.withLock { $0.removeValue(forKey: payload) }
            continuation?.resume()
        } else {
            clock.record(payload)
        }
    }

    public func fence() async {
        guard clock.isFollowing else { return }
        let marker = "f" + UUID().uuidString
        let timeout = Task {
            try? await Task.sleep(for: self.fenceTimeout)
            // Not back in time: whatever the marker was waiting for counts as changed.
            if !Task.isCancelled { self.release(marker, changedEverything: true) }
        }
        await withCheckedContinuation { continuation in
            waiting.withLock { $0[marker] = continuation }
            Task {
                do {
                    try await self.client.query("SELECT pg_notify(\(Self.channel), \(marker))", logger: self.logger)
                } catch {
                    self.release(marker, changedEverything: true)
                }
            }
        }
        timeout.cancel()
    }

    func release(_ marker: String, changedEverything: Bool) {
        guard let continuation = waiting.withLock({ $0.removeValue(forKey: marker) }) else { return }
        if changedEverything { clock.changedEverything() }
        continuation.resume()
    }

    func releaseAll() {
        let all = waiting.withLock { waiting in
            defer { waiting = [:] }
            return Array(waiting.values)
        }
        for continuation in all { continuation.resume() }
    }
}
