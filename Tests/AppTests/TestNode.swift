import API
import ActivityStreams
import NIOHTTP1
import App
import AsyncHTTPClient
import Core
import PostgresNIO
import Domain
import Federation
import Foundation
import HTTPSignatures
import Hummingbird
import KithTestSupport
import Logging
import NIOCore
import ServiceLifecycle
import Storage
import Testing

/// A whole Kith node for federation tests: its own database, a real HTTP server on a loopback
/// port, the inbox processor and the delivery worker. Stop and start it again on the same port
/// and database to test restarts.
final class TestNode: @unchecked Sendable {
    let name: String
    let port: Int
    let config: KithConfig
    let settings: FederationSettings
    let testDB: TestDatabase
    /// The node's own logger (its pool, runtime and server).
    let logger: Logger
    private(set) var pool: DatabasePool!
    private(set) var runtime: FederationRuntime!
    private var group: ServiceGroup?
    private var task: Task<Void, any Error>?

    /// Settings for loopback tests: plain http, private addresses, quick retries.
    static let testSettings = FederationSettings(
        allowHTTP: true, allowPrivateAddresses: true, requestTimeout: .seconds(5), deliveryMaxAttempts: 6, deliveryBackoffScale: 0.02,
        circuitBreakerThreshold: 100)

    init(
        name: String, settings: FederationSettings = TestNode.testSettings, authorizedFetch: Bool = true, loginWall: Bool = true,
        cacheMegabytes: Int = KithConfig().cacheMegabytes, logger: Logger = TestDatabase.logger
    ) async throws {
        self.name = name
        self.logger = logger
        self.port = try Loopback.freePort()
        var config = KithConfig()
        config.cacheMegabytes = cacheMegabytes
        config.federationAuthorizedFetch = authorizedFetch
        config.loginWall = loginWall
        config.publicURL = "http://127.0.0.1:\(port)"
        config.host = "127.0.0.1"
        config.port = port
        self.config = config
        self.settings = settings
        self.testDB = try await TestDatabase.create("node_\(name)")
        try await testDB.withDatabase(maxConnections: 1) { db in
            _ = try await MigrationRunner(client: db.client, directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger).migrate()
        }
    }

    var domain: String { config.domain }
    var baseURL: String { config.publicURL }
    var store: PostgresFederationStore { runtime.store }
    var social: SocialService { runtime.social }

    func start() async throws {
        let pool = DatabasePool(endpoint: testDB.endpoint, maxConnections: 8, logger: logger)
        let runtime = FederationRuntime(database: pool, config: config, settings: settings, logger: logger)
        var app = buildApplication(
            config: config,
            dependencies: AppDependencies(
                database: pool, logger: logger, federation: KithNode.federationStorage(database: pool, logger: logger), runtime: runtime))
        app.addServices(pool)
        app.addServices(runtime.services)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: TestDatabase.logger))
        self.pool = pool
        self.runtime = runtime
        self.group = group
        let task = Task { try await group.run() }
        self.task = task
        let deadline = ContinuousClock.now + .seconds(60)
        while Loopback.get(port: port, path: "/health", timeoutSeconds: 2)?.status != 200 {
            guard ContinuousClock.now < deadline else { throw KithError(.unavailable, "node \(name) did not start") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() async {
        let (group, task) = (self.group, self.task)
        do {
            // A node that does not stop (a request or a query that never ends) fails its test by
            // name instead of holding the whole run.
            try await withDeadline(.seconds(60), "stopping node \(name)") {
                await group?.triggerGracefulShutdown()
                _ = try? await task?.value
            }
        } catch {
            task?.cancel()
            Issue.record("\(error)")
        }
        self.group = nil
        self.task = nil
    }

    /// Stops the node and drops its database.
    func remove() async {
        await stop()
        try? await testDB.drop()
    }

    func allow(_ other: TestNode) async throws {
        try await allow(domain: other.domain)
    }

    /// Allows a domain as an admin at the command line would (audited), applied at once.
    func allow(domain: String) async throws {
        _ = try await runtime.admin.allow(domain, by: AuditActor(accountID: nil, label: "cli:test", address: nil))
    }

    func createAccount(_ username: String, locked: Bool = false, role: Role = .user) async throws -> Account {
        let pair = try RSAKeyPair.generate()
        let accounts = PostgresAccountRepository(client: pool.client, logger: TestDatabase.logger)
        var account = try await accounts.createLocal(
            NewLocalAccount(
                username: try Username(username), email: "\(username)@\(name).example", role: role, passwordHash: "$2b$12$x",
                publicKeyPEM: pair.publicKeyPEM, privateKeyPEM: pair.privateKeyPEM, baseURL: baseURL))
        if locked {
            try await pool.client.query("UPDATE accounts SET locked = true WHERE id = \(account.id)", logger: TestDatabase.logger)
            account.locked = true
        }
        return account
    }

    func acct(_ username: String) -> String { "\(username)@\(domain)" }

    /// Gives a local account a password (bcrypt at a low cost, to keep tests quick).
    func setPassword(_ account: Account, _ password: String) async throws {
        let hash = try await BcryptPasswordHasher(cost: 4).hash(password)
        try await pool.client.query("UPDATE accounts SET password_hash = \(hash) WHERE id = \(account.id)", logger: TestDatabase.logger)
    }

    /// One integer from a SQL query on this node's database.
    func count(_ query: PostgresQuery) async throws -> Int {
        let client = pool.client
        return try await withDeadline(Self.queryLimit, "query \(query.sql)") {
            let rows = try await client.query(query, logger: TestDatabase.logger)
            for try await value in rows.decode(Int.self) { return value }
            return 0
        }
    }

    /// How long a test's own query may take before it fails the test.
    static let queryLimit: Duration = .seconds(30)

    /// The text values of a one-column query on this node's database.
    func strings(_ query: PostgresQuery) async throws -> [String] {
        let client = pool.client
        return try await withDeadline(Self.queryLimit, "query \(query.sql)") {
            var result: [String] = []
            for try await value in try await client.query(query, logger: TestDatabase.logger).decode(String.self) { result.append(value) }
            return result
        }
    }

    /// Runs a statement on this node's database (the error, if any, is PostgreSQL's).
    func execute(_ query: PostgresQuery) async throws {
        let client = pool.client
        try await withDeadline(Self.queryLimit, "query \(query.sql)") {
            for try await _ in try await client.query(query, logger: TestDatabase.logger) {}
        }
    }

    /// The private key of a local account, to sign requests by hand.
    func signingKey(_ account: Account) async throws -> SigningKey {
        let pem = try await store.accounts.privateKeyPEM(accountID: account.id)
        return try SigningKey(keyId: account.publicKeyID, privateKeyPEM: pem ?? "")
    }
}

/// Waits until `condition` holds, polling; fails after `timeout`. Bounded in time.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        // Each check is bounded too: one that hangs fails the wait by name.
        let left = max(deadline - ContinuousClock.now, .seconds(2))
        if try await withDeadline(left, "checking: \(what)", condition) { return }
        guard ContinuousClock.now < deadline else { throw KithError(.unavailable, "timed out waiting for: \(what)") }
        try await Task.sleep(for: .milliseconds(40))
    }
}

/// Raw HTTP to a node, for requests built by hand (signed or not).
enum RawHTTP {
    /// A client that does not follow redirects, so tests see them.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: JSONValue? { try? JSONValue.parse(Array(body.utf8)) }
    }

    /// How long one request of a test may take, body included, before it fails the test.
    static let limit: Duration = .seconds(20)

    static func send(
        _ method: HTTPMethod, _ url: String, headers: [String: String] = [:], body: String? = nil
    ) async throws -> Reply {
        try await withDeadline(limit, "\(method) \(url)") { try await sendUnbounded(method, url, headers: headers, body: body) }
    }

    static func sendUnbounded(_ method: HTTPMethod, _ url: String, headers: [String: String], body: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: fields, body: String(buffer: bytes))
    }

    static func post(_ url: String, body: [UInt8], headers: HeaderFields) async throws -> (status: Int, body: String) {
        try await withDeadline(limit, "POST \(url)") { try await postUnbounded(url, body: body, headers: headers) }
    }

    static func postUnbounded(_ url: String, body: [UInt8], headers: HeaderFields) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for field in headers where field.name.lowercased() != "host" { request.headers.add(name: field.name, value: field.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// A GET, signed by `key` when given (authorized fetch wants it), as Mastodon signs fetches.
    static func get(_ url: String, accept: String = "application/activity+json", as key: SigningKey? = nil) async throws -> (status: Int, body: String) {
        try await withDeadline(limit, "GET \(url)") { try await getUnbounded(url, accept: accept, as: key) }
    }

    static func getUnbounded(_ url: String, accept: String, as key: SigningKey?) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: accept)
        if let key {
            let signed = try RequestSigner.signCavage(SignableRequest(method: "GET", targetURI: url, headers: ["Accept": accept], body: []), key: key)
            for (name, value) in signed where name.lowercased() != "accept" { request.headers.add(name: name, value: value) }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// Signs `body` as `key` (draft-cavage, like Mastodon) for POSTing to `url`.
    static func signedHeaders(url: String, body: [UInt8], key: SigningKey, now: Date = Date()) throws -> HeaderFields {
        try RequestSigner.signCavage(
            SignableRequest(method: "POST", targetURI: url, headers: ["Content-Type": "application/activity+json"], body: body), key: key,
            now: now)
    }
}

/// One test with whole nodes at a time: each node runs servers, workers and a database pool,
/// and several at once on two cores slow everything past its timeouts.
actor NodeTestGate {
    static let shared = NodeTestGate()
    var busy = false
    var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Runs `body` while holding the node gate, for at most `limit` once it holds it: a test that
/// hangs fails by name and lets the others run. (The suites' `.timeLimit` also counts the time
/// spent waiting for the gate, so it is longer.)
func withNodeGate<T: Sendable>(limit: Duration = .seconds(300), _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    await NodeTestGate.shared.acquire()
    let result: Result<T, any Error>
    do { result = .success(try await withDeadline(limit, "a test holding the node gate", body)) } catch { result = .failure(error) }
    await NodeTestGate.shared.release()
    return try result.get()
}

/// Runs `body` with two started nodes, `hq` and `sub`, that allow each other; removes both
/// afterwards, whether `body` threw or not.
func withTwoNodes(
    hqSettings: FederationSettings = TestNode.testSettings, hqLogger: Logger = TestDatabase.logger,
    _ body: @escaping @Sendable (TestNode, TestNode) async throws -> Void
) async throws {
    try await withNodeGate { try await twoNodes(hqSettings: hqSettings, hqLogger: hqLogger, body) }
}

private func twoNodes(
    hqSettings: FederationSettings, hqLogger: Logger, _ body: @Sendable (TestNode, TestNode) async throws -> Void
) async throws {
    let hq = try await TestNode(name: "hq", settings: hqSettings, logger: hqLogger)
    let sub = try await TestNode(name: "sub")
    let result: Result<Void, any Error>
    do {
        try await hq.start()
        try await sub.start()
        try await hq.allow(sub)
        try await sub.allow(hq)
        try await body(hq, sub)
        result = .success(())
    } catch {
        result = .failure(error)
    }
    await hq.remove()
    await sub.remove()
    try result.get()
}

/// Runs `body` with three started nodes that allow one another; removes them afterwards,
/// whether `body` threw or not.
func withThreeNodes(_ body: @escaping @Sendable (TestNode, TestNode, TestNode) async throws -> Void) async throws {
    try await withNodeGate {
        var nodes: [TestNode] = []
        let result: Result<Void, any Error>
        do {
            for name in ["a", "b", "c"] {
                let node = try await TestNode(name: name)
                nodes.append(node)
                try await node.start()
            }
            for node in nodes {
                for other in nodes where other !== node { try await node.allow(other) }
            }
            try await body(nodes[0], nodes[1], nodes[2])
            result = .success(())
        } catch {
            result = .failure(error)
        }
        for node in nodes { await node.remove() }
        try result.get()
    }
}
