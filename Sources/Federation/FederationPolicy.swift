import Domain

/// Decides whether a remote node may federate with this one: in `allowlist` mode only listed
/// domains may, in `blocklist` mode every domain but the blocked ones. A block always wins.
/// Domains compare case-insensitively; a listed domain covers its subdomains.
public struct FederationPolicy: Sendable {
    public var mode: FederationMode
    public var allowed: Set<String>
    public var blocked: Set<String>

    public init(mode: FederationMode, allowed: Set<String> = [], blocked: Set<String> = []) {
        self.mode = mode
        self.allowed = Set(allowed.map { $0.lowercased() })
        self.blocked = Set(blocked.map { $0.lowercased() })
    }

    public func allows(domain: String) -> Bool {
        let domain = domain.lowercased()
        if Self.matches(domain, in: blocked) { return false }
        switch mode {
        case .allowlist: return Self.matches(domain, in: allowed)
        case .blocklist: return true
        }
    }

    static func matches(_ domain: String, in set: Set<String>) -> Bool {
        var candidate = Substring(domain)
        while true {
            if set.contains(String(candidate)) { return true }
            guard let dot = candidate.firstIndex(of: ".") else { return false }
            candidate = candidate[candidate.index(after: dot)...]
        }
    }
}
