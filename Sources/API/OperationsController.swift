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

    public init(database: any HealthCheck, registry: PrometheusCollectorRegistry, version: String, metricsToken: String? = nil) {
        self.database = database
        self.registry = registry
        self.version = version
        self.metricsToken = metricsToken.flatMap { $0.isEmpty ? nil : $0 }
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
            return JSONBody.response(status: .ok, ["status": "ok", "database": "ok", "version": version])
        } catch {
            let reason = (error as? KithError)?.message ?? "database unreachable"
            return JSONBody.response(
                status: .serviceUnavailable,
                ["status": "unavailable", "database": reason, "error": "database unavailable: \(reason)", "version": version])
        }
    }

    func metrics() -> Response {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
