import ActivityStreams
import Domain
import Foundation
import HTTPSignatures
import Logging
import ServiceLifecycle

/// Delivers the outbox: expands each recorded activity into one delivery per inbox (fan-out),
/// then POSTs due deliveries, signed by their author, with a per-host concurrency limit, a
/// circuit breaker per host, and retries with backoff until they succeed or die.
/// Several processes can run it on one database: rows are claimed with FOR UPDATE SKIP LOCKED.
public final class DeliveryWorker: Service, Sendable {
    let queue: any ActivityQueueRepository
    let accounts: any RemoteAccountRepository
    let renderer: ActivityRenderer
    let http: FederationHTTPClient
    let policy: DomainPolicyService
    let settings: FederationSettings
    let logger: Logger
    public let signal = WakeSignal()
    let limiter: HostLimiter
    let breaker: CircuitBreaker
    let keyCache = SigningKeyCache()
    let batchSize: Int
    /// The node's application actor's key (Flags are sent in the node's name).
    let applicationKey: @Sendable () async throws -> SigningKey

    public init(
        queue: any ActivityQueueRepository, accounts: any RemoteAccountRepository, renderer: ActivityRenderer, http: FederationHTTPClient,
        policy: DomainPolicyService, settings: FederationSettings, logger: Logger, batchSize: Int = 256,
        applicationKey: @escaping @Sendable () async throws -> SigningKey
    ) {
        self.applicationKey = applicationKey
        self.queue = queue
        self.accounts = accounts
        self.renderer = renderer
        self.http = http
        self.policy = policy
        self.settings = settings
        self.logger = logger
        self.limiter = HostLimiter(limit: settings.deliveryConcurrencyPerHost)
        self.breaker = CircuitBreaker(threshold: settings.circuitBreakerThreshold, cooldown: settings.circuitBreakerCooldown)
        self.batchSize = batchSize
    }

    public func run() async throws {
        if settings.ownsQueues, let released = try? await queue.releaseLeases(inbox: false), released > 0 {
            logger.notice("deliveries of a stopped process taken up again", metadata: ["count": "\(released)"])
        }
        await runWorkerLoop(signal: signal, logger: logger, name: "delivery") { try await self.runOnce() }
    }

    /// One round: fan out what waits and deliver what is due, keeping up to `batchSize`
    /// deliveries in flight (a sliding window: more are claimed as soon as half the window is
    /// free, so one slow peer does not hold up the others, and no delivery stays claimed longer
    /// than its own request). Ends when nothing more is due. Returns whether anything was done.
    @discardableResult
    public func runOnce() async throws -> Bool {
        var worked = false
        let lease = Duration.seconds(Int64(settings.requestTimeout.components.seconds) * 3 + 30)
        var failure: (any Error)?
        await withTaskGroup(of: (id: Int64, status: Int)?.self) { group in
            var inFlight = 0
            var delivered: [(id: Int64, status: Int)] = []
            var drained = false
            while true {
                if !drained && inFlight <= batchSize / 2 && !Task.isShuttingDownGracefully && !Task.isCancelled {
                    // Marked before claiming more, so a crash repeats at most a window's worth.
                    await mark(&delivered)
                    do {
                        if try await fanOut() { worked = true }
                        let jobs = try await queue.claimDeliveries(limit: batchSize - inFlight, lease: lease)
                        if jobs.isEmpty { drained = true }
                        for job in jobs { group.addTask { await self.deliverLogged(job) } }
                        inFlight += jobs.count
                        worked = worked || !jobs.isEmpty
                    } catch {
                        // What is in flight still finishes and is marked; the loop tries again.
                        failure = error
                        drained = true
                    }
                }
                guard inFlight > 0, let result = await group.next() else { break }
                inFlight -= 1
                if let result { delivered.append(result) }
            }
            await mark(&delivered)
        }
        if let failure { throw failure }
        return worked
    }

    /// Expands recorded activities into deliveries. Returns whether there were any.
    func fanOut() async throws -> Bool {
        var fannedOut = false
        while try await queue.fanOutNext({ activity in
            do {
                return try await self.renderer.render(activity)
            } catch let error as KithError where error.kind == .notFound {
                // Its author is gone: there is nothing left to send, and retrying cannot help.
                self.logger.notice("activity dropped", metadata: ["activity_id": "\(activity.uri)", "error": "\(error)"])
                return ("", [])
            }
        }) {
            fannedOut = true
        }
        return fannedOut
    }

    /// Marks what the peers took as delivered, in one statement.
    func mark(_ delivered: inout [(id: Int64, status: Int)]) async {
        guard !delivered.isEmpty else { return }
        do {
            try await queue.markDelivered(delivered)
        } catch {
            // Not marked: they go again when their lease ends (peers drop repeats by id).
            logger.warning("deliveries sent but not marked", metadata: ["count": "\(delivered.count)", "error": "\(error)"])
        }
        delivered.removeAll(keepingCapacity: true)
    }

    /// `deliver`, with the delivery's logger bound (its id, activity and inbox) for the signing,
    /// the POST and the queries made for it.
    func deliverLogged(_ job: Delivery) async -> (id: Int64, status: Int)? {
        var logger = self.logger
        logger[metadataKey: "delivery"] = "\(job.id)"
        logger[metadataKey: "activity_id"] = .string(job.activityURI)
        logger[metadataKey: "inbox"] = .string(job.inboxURI)
        return await withLogger(logger) { _ in await deliver(job) }
    }

    /// Sends one delivery; returns its id and status when the peer took it (the caller marks
    /// the batch), nil when it was retried, given up or refused (marked here).
    func deliver(_ job: Delivery) async -> (id: Int64, status: Int)? {
        let metadata: Logger.Metadata = ["delivery": "\(job.id)", "activity_id": "\(job.activityURI)", "inbox": "\(job.inboxURI)"]
        do {
            guard try await policy.allows(uri: job.inboxURI) else {
                try await queue.markDead(id: job.id, status: nil, error: "\(job.host) is not a node this one federates with")
                return nil
            }
            if let until = await breaker.blockedUntil(job.host) {
                try await queue.scheduleRetry(id: job.id, at: until, status: job.lastStatus, error: "circuit open for \(job.host) after repeated failures")
                return nil
            }
            let key =
                job.signedByApplication ? try await applicationKey() : try await signingKey(accountID: job.signerAccountID)
            await limiter.acquire(job.host)
            let result: Result<FederationHTTPClient.Response, any Error>
            do {
                result = .success(try await http.post(job.inboxURI, body: Array(job.payload.utf8), signedBy: key))
            } catch {
                result = .failure(error)
            }
            await limiter.release(job.host)
            switch result {
            case .success(let response) where (200..<300).contains(response.status):
                await breaker.succeeded(job.host)
                logger.debug("delivered", metadata: metadata.merging(["status": "\(response.status)"]) { $1 })
                return (job.id, response.status)
            case .success(let response) where (400..<500).contains(response.status) && ![401, 408, 429].contains(response.status):
                // The peer refuses this activity; trying again will not change its mind.
                await breaker.succeeded(job.host)
                let detail = String(decoding: response.body.prefix(200), as: UTF8.self)
                try await queue.markDead(id: job.id, status: response.status, error: "HTTP \(response.status): \(detail)")
                logger.notice("delivery refused", metadata: metadata.merging(["status": "\(response.status)"]) { $1 })
            case .success(let response):
                await breaker.failed(job.host)
                try await retryOrGiveUp(job, status: response.status, error: "HTTP \(response.status)")
            case .failure(let error as KithError) where error.kind == .forbidden || error.kind == .invalidInput:
                try await queue.markDead(id: job.id, status: nil, error: error.message)
            case .failure(let error):
                await breaker.failed(job.host)
                try await retryOrGiveUp(job, status: nil, error: (error as? KithError)?.description ?? "\(error)")
            }
        } catch {
            logger.warning("could not record a delivery's outcome", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        return nil
    }

    func retryOrGiveUp(_ job: Delivery, status: Int?, error: String) async throws {
        if job.attempts >= settings.deliveryMaxAttempts {
            try await queue.markDead(id: job.id, status: status, error: "gave up after \(job.attempts) attempts: \(error)")
            logger.notice("delivery dead", metadata: ["delivery": "\(job.id)", "inbox": "\(job.inboxURI)", "error": "\(error)"])
        } else {
            let delay = settings.retryDelay(attempt: job.attempts)
            try await queue.scheduleRetry(id: job.id, at: Date().addingTimeInterval(delay), status: status, error: error)
        }
    }

    func signingKey(accountID: Int64) async throws -> SigningKey {
        if let cached = await keyCache.key(accountID) { return cached }
        guard let account = try await accounts.account(id: accountID), let pem = try await accounts.privateKeyPEM(accountID: accountID) else {
            throw KithError(.notFound, "account \(accountID) has no key to sign with")
        }
        let key = try SigningKey(keyId: account.publicKeyID, privateKeyPEM: pem)
        await keyCache.store(key, for: accountID)
        return key
    }
}

/// Parsed private keys by account: reading PEM costs more than signing.
actor SigningKeyCache {
    var keys: [Int64: SigningKey] = [:]
    func key(_ id: Int64) -> SigningKey? { keys[id] }
    func store(_ key: SigningKey, for id: Int64) {
        if keys.count > 10_000 { keys.removeAll() }
        keys[id] = key
    }
}
