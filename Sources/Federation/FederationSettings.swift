/// How this node talks to others. Defaults are for production; tests and labs loosen them.
public struct FederationSettings: Sendable {
    /// Plain `http://` peers (labs and tests only); https otherwise.
    public var allowHTTP: Bool
    /// Outgoing requests to loopback and private addresses (nodes on a private network, tests).
    public var allowPrivateAddresses: Bool
    /// Largest document fetched from, or accepted into an inbox from, a peer.
    public var maxDocumentBytes: Int
    public var requestTimeout: Duration
    public var maxRedirects: Int
    /// A remote actor's cached document older than this is fetched again when used.
    public var actorRefreshInterval: Duration
    /// How many parents of a reply are fetched when missing.
    public var maxThreadDepth: Int
    /// Delivery attempts before a delivery is dead (16: about 2.4 days of backoff).
    public var deliveryMaxAttempts: Int
    /// Multiplies the retry delays ((n⁴ + 15) s with jitter); tests shrink it.
    public var deliveryBackoffScale: Double
    /// Deliveries in flight to one host at once.
    public var deliveryConcurrencyPerHost: Int
    /// Consecutive failures after which a host is skipped for a while (the circuit opens).
    public var circuitBreakerThreshold: Int
    public var circuitBreakerCooldown: Duration
    /// Signature time window either side of now.
    public var signatureWindow: Double
    /// This process alone works the queues (the embedded database, owned through its lock):
    /// leases left by a process that was killed are released at start rather than left to run out.
    public var ownsQueues = false

    public init(
        allowHTTP: Bool = false, allowPrivateAddresses: Bool = false, maxDocumentBytes: Int = 1 << 20,
        requestTimeout: Duration = .seconds(10), maxRedirects: Int = 3, actorRefreshInterval: Duration = .seconds(86_400),
        maxThreadDepth: Int = 8, deliveryMaxAttempts: Int = 16, deliveryBackoffScale: Double = 1,
        deliveryConcurrencyPerHost: Int = 4, circuitBreakerThreshold: Int = 8, circuitBreakerCooldown: Duration = .seconds(300),
        signatureWindow: Double = 3600
    ) {
        self.allowHTTP = allowHTTP
        self.allowPrivateAddresses = allowPrivateAddresses
        self.maxDocumentBytes = maxDocumentBytes
        self.requestTimeout = requestTimeout
        self.maxRedirects = maxRedirects
        self.actorRefreshInterval = actorRefreshInterval
        self.maxThreadDepth = maxThreadDepth
        self.deliveryMaxAttempts = deliveryMaxAttempts
        self.deliveryBackoffScale = deliveryBackoffScale
        self.deliveryConcurrencyPerHost = deliveryConcurrencyPerHost
        self.circuitBreakerThreshold = circuitBreakerThreshold
        self.circuitBreakerCooldown = circuitBreakerCooldown
        self.signatureWindow = signatureWindow
    }

    /// The delay before retry number `attempt` (1-based): Mastodon's (n⁴ + 15) s, plus up to
    /// 30 % jitter so retries of many deliveries spread out.
    public func retryDelay(attempt: Int, jitter: Double = Double.random(in: 0...0.3)) -> Double {
        let n = Double(attempt)
        return (n * n * n * n + 15) * (1 + jitter) * deliveryBackoffScale
    }
}
