import Hummingbird
import NIOCore

/// The request context of every Kith route. Later layers (authentication, signature
/// verification) add their fields here.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for rate limits (nil when unknown, as in router tests).
    public let peerAddress: String?
    /// The bearer token and its account, as `AuthenticationMiddleware` read them.
    public var identity: RequestIdentity = .none

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }
}

extension AppRequestContext {
    /// The client's address: the peer's, or, when the peer is a reverse proxy on this host,
    /// the first address of `X-Forwarded-For`.
    func clientAddress(_ request: Request) -> String {
        let peer = peerAddress ?? "unknown"
        if peer == "127.0.0.1" || peer == "::1",
            let forwarded = request.headers[.init("X-Forwarded-For")!]?.split(separator: ",").first
        {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return peer
    }
}
