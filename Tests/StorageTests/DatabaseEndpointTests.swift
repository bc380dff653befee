import Domain
import Storage
import Testing

@Suite struct DatabaseEndpointTests {
    @Test func parsesTCPURLs() throws {
        let endpoint = try DatabaseEndpoint(url: "postgres://kith:s3cret@db.internal:6543/social?sslmode=require")
        #expect(endpoint.address == .tcp(host: "db.internal", port: 6543))
        #expect(endpoint.username == "kith")
        #expect(endpoint.password == "s3cret")
        #expect(endpoint.database == "social")
        #expect(endpoint.tls == .require)
        #expect(!endpoint.redacted.contains("s3cret"))
    }

    @Test func defaultsFollowLibpq() throws {
        let remote = try DatabaseEndpoint(url: "postgresql://kith@db.internal")
        #expect(remote.address == .tcp(host: "db.internal", port: 5432))
        #expect(remote.database == "kith")  // libpq: the database defaults to the user name
        #expect(remote.tls == .prefer)
        let local = try DatabaseEndpoint(url: "postgres://kith@127.0.0.1/kith")
        #expect(local.tls == .disable)  // no TLS dance on loopback unless asked for
    }

    @Test func parsesUnixSocketFolders() throws {
        let endpoint = try DatabaseEndpoint(url: "postgres://kith@/kith?host=/var/run/postgresql")
        #expect(endpoint.address == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432"))
        let withPort = try DatabaseEndpoint(url: "postgres://kith@/kith?host=/tmp/pg&port=6000")
        #expect(withPort.address == .unixSocket(path: "/tmp/pg/.s.PGSQL.6000"))
    }

    @Test(arguments: [
        "mysql://kith@db/kith", "not a url", "postgres:///kith", "postgres://db.internal/kith",
        "postgres://kith@db:99999/kith", "postgres://kith@db/kith?sslmode=sometimes",
    ])
    func rejectsBadURLs(_ url: String) {
        #expect(throws: KithError.self) { try DatabaseEndpoint(url: url) }
    }
}
