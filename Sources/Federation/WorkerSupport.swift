import Foundation
import Logging
import ServiceLifecycle

/// The loop of a queue worker: run rounds while there is work, wait for a signal (or half a
/// second) when there is none, stop on graceful shutdown. A failed round is logged, not fatal.
func runWorkerLoop(signal: WakeSignal, logger: Logger, name: String, round: @Sendable () async throws -> Bool) async {
    await withGracefulShutdownHandler {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let worked: Bool
            do {
                worked = try await round()
            } catch {
                logger.warning("\(name) round failed", metadata: ["error": "\(error)"])
                worked = false
            }
            if !worked { await signal.wait(upTo: .milliseconds(500)) }
        }
    } onGracefulShutdown: {
        Task { await signal.notify() }
    }
}

/// Wakes a worker loop as soon as there is work, instead of waiting for its next poll.
public actor WakeSignal {
    var pending = false
    var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    var nextID = 0

    public init() {}

    public func notify() {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume()
        } else {
            pending = true
        }
    }

    /// Returns when notified (or at once if notified since the last wait), or after `timeout`.
    public func wait(upTo timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        nextID += 1
        let id = nextID
        await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(id)
            }
        }
    }

    func expire(_ id: Int) {
        if let waiter, waiter.id == id {
            self.waiter = nil
            waiter.continuation.resume()
        }
    }
}

/// At most `limit` deliveries in flight to one host.
actor HostLimiter {
    let limit: Int
    var inFlight: [String: Int] = [:]
    var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func acquire(_ host: String) async {
        if inFlight[host, default: 0] < limit {
            inFlight[host, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[host, default: []].append($0) }
    }

    func release(_ host: String) {
        if var queue = waiting[host], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[host] = queue.isEmpty ? nil : queue
            next.resume()  // the slot passes straight to the next waiter
        } else {
            inFlight[host, default: 1] -= 1
            if inFlight[host] == 0 { inFlight[host] = nil }
        }
    }
}

/// Stops hammering a host that keeps failing: after `threshold` consecutive failures its
/// deliveries are put off for `cooldown`, then one attempt is let through to test it.
actor CircuitBreaker {
    let threshold: Int
    let cooldown: TimeInterval
    var failures: [String: Int] = [:]
    var openUntil: [String: Date] = [:]

    init(threshold: Int, cooldown: Duration) {
        self.threshold = max(1, threshold)
        self.cooldown = Double(cooldown.components.seconds)
    }

    /// When the circuit for `host` is open, the time it closes again.
    func blockedUntil(_ host: String, now: Date = Date()) -> Date? {
        guard let until = openUntil[host] else { return nil }
        if until > now { return until }
        openUntil[host] = nil  // half-open: let the next attempt through
        return nil
    }

    func succeeded(_ host: String) {
        failures[host] = nil
        openUntil[host] = nil
    }

    func failed(_ host: String, now: Date = Date()) {
        let count = failures[host, default: 0] + 1
        failures[host] = count
        if count >= threshold { openUntil[host] = now.addingTimeInterval(cooldown) }
    }
}
