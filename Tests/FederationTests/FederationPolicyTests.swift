import Domain
import Federation
import Testing

@Suite struct FederationPolicyTests {
    @Test func allowlistAdmitsOnlyListedDomainsAndTheirSubdomains() {
        let policy = FederationPolicy(mode: .allowlist, allowed: ["Sister.Example"])
        #expect(policy.allows(domain: "sister.example"))
        #expect(policy.allows(domain: "social.sister.example"))
        #expect(!policy.allows(domain: "stranger.example"))
        #expect(!policy.allows(domain: "notsister.example"))
    }

    @Test func blocklistAdmitsAllButBlocked() {
        let policy = FederationPolicy(mode: .blocklist, blocked: ["spam.example"])
        #expect(policy.allows(domain: "anyone.example"))
        #expect(!policy.allows(domain: "spam.example"))
        #expect(!policy.allows(domain: "a.spam.example"))
    }

    @Test func blockWinsOverAllow() {
        let policy = FederationPolicy(mode: .allowlist, allowed: ["example.com"], blocked: ["bad.example.com"])
        #expect(policy.allows(domain: "good.example.com"))
        #expect(!policy.allows(domain: "bad.example.com"))
    }
}
