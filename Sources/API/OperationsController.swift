import ActivityStreams
import Domain
import Hummingbird
import Prometheus

/// `/health` and `/metrics`: what a load balancer and a monitoring system ask.
public struct OperationsController<Context: RequestContext>: Sendable {
    let database: any HealthCheck
    let registry: PrometheusCollectorRegistry
    let version: String
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    let metricsToken: String?
    /// The in-memory caches by name, reported at each scrape: lookups answered and not,
    /// entries and their size.
    let caches: [String: @Sendable () -> (hits: Int, misses: Int, entries: Int, cost: Int)]

    public init(
        database: any HealthCheck, registry: PrometheusCollectorRegistry, version: String, metricsToken: String? = nil,
        caches: [String: @Sendable () -> (hits: Int, misses: Int, entries: Int, cost: Int)] = [:]
    ) {
        self.database = database
        self.registry = registry
        self.version = version
        self.metricsToken = metricsToken.flatMap { $0.isEmpty ? nil : $0 }
        self.caches = caches
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("/health") { _, _ in await self.health() }
        router.get("/metrics") { request, _ in
            if let token = self.metricsToken {
                let given = request.headers[.authorization] ?? ""
                guard ConstantTime.equal(given, "Bearer " + token) else {
                    throw KithError(.unauthorized, "/metrics needs the bearer token set in metrics.token")
                }
            }
            return self.metrics()
        }
    }

    /// 200 when the database answers, 503 with the reason when it does not.
    func health() async -> Response {
        do {
            try await database.check()
            return JSONBody.response(status: .ok, ["status": "ok", "database": "ok", "version": .string(version)])
        } catch {
            let reason = (error as? KithError)?.message ?? "database unreachable"
            return JSONBody.response(
                status: .serviceUnavailable,
                ["status": "unavailable", "database": .string(reason), "error": .string("database unavailable: \(reason)"), "version": .string(version)])
        }
    }

    func metrics() -> Response {
        for (name, statistics) in caches {
            let figures = statistics()
            let labels = [("cache", name)]
            registry.makeGauge(name: "kith_cache_hits", labels: labels).set(Double(figures.hits))
            registry.makeGauge(name: "kith_cache_misses", labels: labels).set(Double(figures.misses))
            registry.makeGauge(name: "kith_cache_entries", labels: labels).set(Double(figures.entries))
            registry.makeGauge(name: "kith_cache_size", labels: labels).set(Double(figures.cost))
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
