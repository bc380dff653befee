import Domain
import Foundation

/// The federation policy in force: the configured mode with the allows and blocks stored by
/// admins, reloaded every few seconds (and at once after a change made through this process).
public actor DomainPolicyService {
    let mode: FederationMode
    let repository: any DomainPolicyRepository
    let ttl: TimeInterval
    var cached: (policy: FederationPolicy, loadedAt: Date)?

    public init(mode: FederationMode, repository: any DomainPolicyRepository, ttl: TimeInterval = 5) {
        self.mode = mode
        self.repository = repository
        self.ttl = ttl
    }

    public func policy() async throws -> FederationPolicy {
        if let cached, Date().timeIntervalSince(cached.loadedAt) < ttl { return cached.policy }
        // Suspended domains are refused; silenced ones still federate (their posts stay out of
        // public timelines, which the timeline queries see to).
        let blocks = try await repository.domainBlocks()
        let policy = FederationPolicy(
            mode: mode, allowed: Set(try await repository.domainAllows().map(\.domain)),
            blocked: Set(blocks.filter { $0.severity == .suspend }.map(\.domain)))
        cached = (policy, Date())
        return policy
    }

    /// Whether the node at `domain` (a host, with `:port` when not the default) may federate.
    public func allows(domain: String) async throws -> Bool {
        let policy = try await policy()
        if policy.allows(domain: domain) { return true }
        // An allow or block may name the host without its port.
        if let colon = domain.lastIndex(of: ":"), !domain.hasSuffix("]") {
            let host = String(domain[..<colon])
            return !policy.blocked.contains(domain.lowercased()) && policy.allows(domain: host)
        }
        return false
    }

    /// Whether the node serving `uri` may federate.
    public func allows(uri: String) async throws -> Bool {
        guard let domain = Self.domain(of: uri) else { return false }
        return try await allows(domain: domain)
    }

    /// Whether a domain block says to ignore reports (Flags) from `domain`.
    public func rejectsReports(domain: String) async throws -> Bool {
        let domain = domain.lowercased()
        return try await repository.domainBlocks().contains { block in
            block.rejectReports && (domain == block.domain || domain.hasSuffix("." + block.domain))
        }
    }

    public func invalidate() {
        cached = nil
    }

    /// `host[:port]` of a URL, lower-cased.
    public static func domain(of uri: String) -> String? {
        guard let url = URLComponents(string: uri), let host = url.host, !host.isEmpty else { return nil }
        return (url.port.map { "\(host):\($0)" } ?? host).lowercased()
    }
}
