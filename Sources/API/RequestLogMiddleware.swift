import Foundation
import Hummingbird
import Logging

/// Binds the request's logger (with its `hb.request.id`, also returned as `X-Request-Id`) for
/// everything done for the request — Core, Federation, Storage and outgoing HTTP log with it —
/// and logs one line per request at `debug`, so a client's report can be matched to the log.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await withLogger(context.logger) { _ in try await next(request, context) }
        response.headers[.init("X-Request-Id")!] = context.id
        let elapsed = ContinuousClock.now - start
        context.logger.debug(
            "request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                "duration_ms": "\(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)",
            ])
        return response
    }
}
