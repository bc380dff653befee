import Foundation
import Hummingbird
import Prometheus

/// Counts requests and records their latency by route (the matched route pattern, not the raw
/// path, so ids do not explode the label set), method and status.
public struct PrometheusMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    static var buckets: [Duration] {
        [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
         .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]
    }

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        // Hummingbird names unmatched requests "NotFound"; every real route starts with "/".
        let route = context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"
        let labels = [("route", route), ("method", request.method.rawValue), ("status", String(response.status.code))]
        registry.makeCounter(name: "kith_http_requests_total", labels: labels).increment()
        registry.makeDurationHistogram(
            name: "kith_http_request_duration_seconds", labels: [("route", route), ("method", request.method.rawValue)],
            buckets: Self.buckets
        ).record(ContinuousClock.now - start)
        return response
    }
}
