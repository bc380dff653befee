import ActivityStreams
import Domain
import Foundation
import Testing

@testable import Federation

@Suite struct AddressingTests {
    func account(_ id: Int64, _ uri: String, domain: String?, shared: String?) -> Account {
        var account = Account(
            id: id, username: "u\(id)", domain: domain, displayName: "", uri: uri, url: nil, inboxURI: uri + "/inbox",
            sharedInboxURI: shared, publicKeyPEM: "", role: .user, email: nil, createdAt: Date())
        account.followersURI = uri + "/followers"
        return account
    }

    @Test func audienceFollowsMastodonForEachVisibility() {
        let author = account(1, "https://kith.example/users/alice", domain: nil, shared: nil)
        let followers = "https://kith.example/users/alice/followers"
        let bob = "https://sub.example/users/bob"
        #expect(Addressing.audience(visibility: .public, author: author, mentioned: [bob]) == ([ASPublic.id], [followers, bob]))
        #expect(Addressing.audience(visibility: .unlisted, author: author, mentioned: []) == ([followers], [ASPublic.id]))
        #expect(Addressing.audience(visibility: .private, author: author, mentioned: [bob]) == ([followers], [bob]))
        #expect(Addressing.audience(visibility: .direct, author: author, mentioned: [bob]) == ([bob], []))
    }

    @Test func visibilityFromAddressing() {
        let followers = "https://x.example/users/a/followers"
        #expect(Addressing.visibility(to: [ASPublic.id], cc: [followers], followers: followers) == .public)
        #expect(Addressing.visibility(to: ["as:Public"], cc: [], followers: nil) == .public)
        #expect(Addressing.visibility(to: [followers], cc: [ASPublic.id], followers: followers) == .unlisted)
        #expect(Addressing.visibility(to: [followers], cc: [], followers: followers) == .private)
        #expect(Addressing.visibility(to: ["https://kith.example/users/bob"], cc: [], followers: followers) == .direct)
    }

    @Test func oneDeliveryPerSharedInbox() {
        let shared = "https://sub.example/inbox"
        let recipients = [
            account(2, "https://sub.example/users/b", domain: "sub.example", shared: shared),
            account(3, "https://sub.example/users/c", domain: "sub.example", shared: shared),
            account(4, "https://sub.example/users/d", domain: "sub.example", shared: shared),
            account(5, "https://solo.example/users/e", domain: "solo.example", shared: nil),
            account(6, "https://kith.example/users/local", domain: nil, shared: "https://kith.example/inbox"),
        ]
        #expect(Addressing.inboxes(for: recipients, direct: false) == ["https://solo.example/users/e/inbox", shared])
        // Direct messages go to each addressee's own inbox.
        #expect(Addressing.inboxes(for: recipients, direct: true).count == 4)
    }

    @Test func retryScheduleSpansAboutTwoDays() {
        let settings = FederationSettings()
        #expect(settings.retryDelay(attempt: 1, jitter: 0) == 16)
        #expect(settings.retryDelay(attempt: 2, jitter: 0.3) == 31 * 1.3)
        let total = (1..<settings.deliveryMaxAttempts).reduce(0.0) { $0 + settings.retryDelay(attempt: $1, jitter: 0) }
        #expect(total > 36 * 3600)
        #expect(total < 72 * 3600)
        var fast = settings
        fast.deliveryBackoffScale = 0.01
        #expect(fast.retryDelay(attempt: 1, jitter: 0) == 0.16)
    }

    @Test func privateAddressesAreRefusedUnlessAllowed() async throws {
        for address in ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1"] {
            #expect(AddressGuard.isPublic(try #require(AddressGuard.parse(address))) == false, "\(address)")
        }
        for address in ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "172.32.0.1"] {
            #expect(AddressGuard.isPublic(try #require(AddressGuard.parse(address))), "\(address)")
        }
        await #expect(throws: KithError.self) { try await AddressGuard.check(host: "127.0.0.1", allowPrivate: false) }
        await #expect(throws: KithError.self) { try await AddressGuard.check(host: "localhost", allowPrivate: false) }
        await #expect(throws: KithError.self) { try await AddressGuard.check(host: "[::1]", allowPrivate: false) }
        try await AddressGuard.check(host: "127.0.0.1", allowPrivate: true)
    }

    @Test func circuitBreakerOpensAndHalfOpens() async {
        let breaker = CircuitBreaker(threshold: 3, cooldown: .seconds(60))
        let now = Date()
        for _ in 0..<2 { await breaker.failed("a.example", now: now) }
        #expect(await breaker.blockedUntil("a.example", now: now) == nil)
        await breaker.failed("a.example", now: now)
        #expect(await breaker.blockedUntil("a.example", now: now.addingTimeInterval(10)) != nil)
        #expect(await breaker.blockedUntil("b.example", now: now) == nil)
        // After the cooldown one attempt goes through; a success closes the circuit.
        #expect(await breaker.blockedUntil("a.example", now: now.addingTimeInterval(61)) == nil)
        await breaker.succeeded("a.example")
        await breaker.failed("a.example", now: now)
        #expect(await breaker.blockedUntil("a.example", now: now) == nil)
    }

    @Test func hostLimiterCapsConcurrency() async {
        let limiter = HostLimiter(limit: 2)
        let peak = Peak()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    await limiter.acquire("a.example")
                    await peak.enter()
                    try? await Task.sleep(for: .milliseconds(5))
                    await peak.leave()
                    await limiter.release("a.example")
                }
            }
        }
        #expect(await peak.maximum == 2)
    }

    actor Peak {
        var current = 0
        var maximum = 0
        func enter() {
            current += 1
            maximum = max(maximum, current)
        }
        func leave() { current -= 1 }
    }

    @Test func policyMatchesHostsWithPorts() async throws {
        let repository = FixedPolicy(
            allowed: ["127.0.0.1:8081", "sister.example", "loud.example"], blocked: ["bad.sister.example"], silenced: ["loud.example"])
        let service = DomainPolicyService(mode: .allowlist, repository: repository)
        #expect(try await service.allows(uri: "http://127.0.0.1:8081/users/a"))
        #expect(try await service.allows(uri: "http://127.0.0.1:8082/users/a") == false)
        #expect(try await service.allows(uri: "https://sister.example/inbox"))
        #expect(try await service.allows(uri: "https://sister.example:8443/inbox"))
        #expect(try await service.allows(uri: "https://eu.sister.example/inbox"))
        #expect(try await service.allows(uri: "https://bad.sister.example/inbox") == false)
        #expect(try await service.allows(uri: "https://outsider.example/inbox") == false)
        #expect(try await service.allows(uri: "not a url") == false)
        #expect(try await service.allows(uri: "https://loud.example/inbox"))  // silenced, not suspended: still federates
        let open = DomainPolicyService(mode: .blocklist, repository: repository)
        #expect(try await open.allows(uri: "https://outsider.example/inbox"))
        #expect(try await open.allows(uri: "https://bad.sister.example/inbox") == false)
    }

    /// A fixed policy, for the matching rules alone (storage is tested against PostgreSQL elsewhere).
    struct FixedPolicy: DomainPolicyRepository {
        var allowed: [String]
        var blocked: [String]
        var silenced: [String] = []
        func domainAllows() async throws -> [DomainAllow] { allowed.map { DomainAllow(id: 1, domain: $0, createdAt: Date()) } }
        func domainBlocks() async throws -> [DomainBlock] {
            blocked.map { DomainBlock(domain: $0, severity: .suspend) } + silenced.map { DomainBlock(domain: $0, severity: .silence) }
        }
        func addAllow(domain: String, audit: AuditRecord) async throws -> DomainAllow { throw KithError(.forbidden, "read-only") }
        func removeAllow(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainAllow? { nil }
        func saveBlock(_ block: DomainBlock, audit: AuditRecord) async throws -> DomainBlock { throw KithError(.forbidden, "read-only") }
        func removeBlock(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainBlock? { nil }
    }
}
