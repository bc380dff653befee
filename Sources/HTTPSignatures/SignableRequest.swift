/// The parts of an HTTP request that a signature covers.
public struct SignableRequest: Sendable {
    /// Upper-case method, e.g. `POST`.
    public var method: String
    /// The absolute URI the request was sent to, e.g. `https://node.example/users/alice/inbox`.
    /// A server builds it from its public URL and the request's path and query.
    public var targetURI: String
    public var headers: HeaderFields
    /// The raw body bytes, exactly as received (digests are over these).
    public var body: [UInt8]

    public init(method: String, targetURI: String, headers: HeaderFields, body: [UInt8] = []) {
        self.method = method.uppercased()
        self.targetURI = targetURI
        self.headers = headers
        self.body = body
    }

    /// `https`, lower-cased.
    var scheme: String {
        guard let end = targetURI.range(of: "://") else { return "" }
        return targetURI[..<end.lowerBound].lowercased()
    }

    /// `host[:port]` from the target URI, lower-cased, without a default port.
    var authority: String {
        guard let start = targetURI.range(of: "://") else { return "" }
        let rest = targetURI[start.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<end].lowercased()
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        if scheme == "https", authority.hasSuffix(":443") { authority.removeLast(4) }
        if scheme == "http", authority.hasSuffix(":80") { authority.removeLast(3) }
        return authority
    }

    /// Path and query, as in the request line: `/users/alice/inbox?x=1`. Never empty.
    var requestTarget: String {
        guard let start = targetURI.range(of: "://") else { return targetURI }
        let rest = targetURI[start.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        var target = String(rest[slash...])
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        return target.hasPrefix("?") ? "/" + target : target
    }

    var path: String {
        let target = requestTarget
        return target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
    }

    /// `?query`, or `?` when there is none (RFC 9421 §2.2.7).
    var query: String {
        let target = requestTarget
        return target.firstIndex(of: "?").map { String(target[$0...]) } ?? "?"
    }
}
