import ArgumentParser
import AsyncHTTPClient
import Crypto
import Dispatch
import Foundation
import HTTPSignatures
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Storage
import _CryptoExtras

/// The load side of scripts/bench: simulated remote nodes on loopback (actors that flood an
/// inbox, sinks that verify and count deliveries), a client-API poster, and the RSA ceiling.
/// Every figure it prints is one JSON object on stdout.
@main
struct KithBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kith-bench",
        abstract: "Load generators and ceilings for scripts/bench.",
        subcommands: [RSACeiling.self, Inbox.self, Sinks.self, Post.self, Token.self, PageScript.self, InboxScript.self])
}

// MARK: - Ceilings

struct RSACeiling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsa", abstract: "RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second with swift-crypto, on every core.")

    @Option(help: "Seconds to sign for.") var seconds: Double = 3
    @Option(help: "Threads (default: one per core).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let message = Array("(request-target): post /inbox\nhost: 127.0.0.1\ndate: x\ndigest: SHA-256=y".utf8)
        func rate(_ threads: Int) -> Double {
            let counts = Counts(threads)
            let start = DispatchTime.now()
            let deadline = start.uptimeNanoseconds + UInt64(seconds * 1e9)
            DispatchQueue.concurrentPerform(iterations: threads) { index in
                var signed = 0
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    _ = try? key.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
                    signed += 1
                }
                counts.set(index, signed)
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            return Double(counts.total) / elapsed
        }
        let single = rate(1)
        let all = rate(threads)
        printJSON(["threads": threads, "signatures_per_second": round1(all), "single_thread_per_second": round1(single)])
    }

    final class Counts: @unchecked Sendable {
        let lock = NSLock()
        var values: [Int]
        init(_ count: Int) { values = Array(repeating: 0, count: count) }
        func set(_ index: Int, _ value: Int) { lock.withLock { values[index] = value } }
        var total: Int { lock.withLock { values.reduce(0, +) } }
    }
}

// MARK: - Inbox flood

struct Inbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serves K actors on 127.0.0.1:PORT and signs N Create(Note) activities from them for the inbox TARGET.",
        discussion: """
            Writes the signed requests to FILE (each as '<length>\\n<raw HTTP/1.1 request>') for \
            scripts/bench_flood.py, prints {"written": N}, then serves the actors (the node fetches their keys) until \
            it is terminated.
            """)

    @Option(help: "Port for the actors' server.") var port: Int
    @Option(help: "Number of remote actors.") var actors: Int = 20
    @Option(help: "Activities to sign.") var count: Int = 5000
    @Option(help: "The shared inbox they are for, e.g. http://127.0.0.1:8080/inbox.") var target: String
    @Option(help: "Where to write the signed requests.") var requestsFile: String

    func run() async throws {
        let base = "http://127.0.0.1:\(port)"
        let keys = try generateKeys(actors, prefix: base + "/users/a")
        let router = Router()
        router.get("/users/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), name.hasPrefix("a"), let index = Int(name.dropFirst()), keys.indices.contains(index)
            else { return Response(status: .notFound) }
            return activityJSON(actorDocument(base: base, name: name, publicKeyPEM: keys[index].publicKeyPEM))
        }
        router.post("/inbox") { _, _ in Response(status: .accepted) }
        router.post("/users/:name/inbox") { _, _ in Response(status: .accepted) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: quietLogger)
        let run = String(Int(Date().timeIntervalSince1970 * 1000))

        // Signed up front: the figures are the node's, not the signer's.
        let requests = try await parallelMap(0..<count) { number -> (body: [UInt8], headers: HeaderFields) in
            let key = keys[number % keys.count]
            let actor = "\(base)/users/a\(number % keys.count)"
            let note = "\(actor)/statuses/\(run)-\(number)"
            let body = Array(createJSON(actor: actor, note: note, content: benchContent(number, from: "a\(number % keys.count)")).utf8)
            let headers = try RequestSigner.signCavage(
                SignableRequest(method: "POST", targetURI: target, headers: ["Content-Type": "application/activity+json"], body: body), key: key)
            return (body, headers)
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            try await waitForListening(port: port)
            try writeRaw(requests, to: requestsFile)
            printJSON(["written": requests.count, "actors": actors])
            try await group.next()
        }
    }

    /// Raw HTTP/1.1 requests, each preceded by its length in bytes on a line of its own.
    func writeRaw(_ requests: [(body: [UInt8], headers: HeaderFields)], to path: String) throws {
        guard let url = URL(string: target), let host = url.host else { throw BenchError("bad target \(target)") }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        var out: [UInt8] = []
        out.reserveCapacity(requests.count * 1600)
        for request in requests {
            var text = "POST \(url.path.isEmpty ? "/" : url.path) HTTP/1.1\r\nHost: \(authority)\r\n"
            for field in request.headers where !["host", "content-length"].contains(field.name.lowercased()) {
                text += "\(field.name): \(field.value)\r\n"
            }
            text += "Content-Length: \(request.body.count)\r\n\r\n"
            let raw = Array(text.utf8) + request.body
            out += Array("\(raw.count)\n".utf8) + raw
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(out)) else { throw BenchError("cannot write \(path)") }
    }
}

// MARK: - Delivery sinks

struct Sinks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs H sink nodes on 127.0.0.1:PORT…PORT+H-1 with F followers between them; each follower follows ACTOR.",
        discussion: """
            Every POST to a sink is checked: its signature (the signer's key fetched once from the node) and its \
            digest. GET /stats on any sink gives the counts of all of them as JSON. POST /hold makes every sink \
            keep its answers back (deliveries pile up at the node) until POST /release; the rate after the \
            release is the node's delivery rate, not the rate its posts were made at.
            """)

    @Option(help: "First port; sink k listens on PORT+k.") var port: Int
    @Option(help: "Number of sink nodes (shared inboxes).") var sinks: Int = 8
    @Option(help: "Followers, spread evenly over the sinks.") var followers: Int = 400
    @Option(help: "The local actor every follower follows, e.g. http://127.0.0.1:8080/users/alice.") var follow: String

    func run() async throws {
        let state = SinkState(sinks: sinks)
        var apps: [any Service] = []
        var sinkKeys: [String] = []
        for sink in 0..<sinks {
            let base = "http://127.0.0.1:\(port + sink)"
            let pair = try RSAKeyPair.generate()
            sinkKeys.append(pair.privateKeyPEM)
            apps.append(sinkApplication(sink: sink, base: base, publicKeyPEM: pair.publicKeyPEM, state: state))
        }
        let group = ServiceGroup(configuration: .init(services: apps, gracefulShutdownSignals: [.sigterm, .sigint], logger: quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for sink in 0..<sinks { try await waitForListening(port: port + sink) }
            try await sendFollows(keys: sinkKeys)
            try await tasks.next()
        }
    }

    /// Follower j lives on sink j % H; all of a sink's followers share its key (one key per
    /// node keeps start-up quick; the node still fetches and caches each actor).
    func sendFollows(keys: [String]) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let inbox = follow + "/inbox"
        let next = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let j = next.take(below: followers) {
                        let sink = j % sinks
                        let base = "http://127.0.0.1:\(port + sink)"
                        let actor = "\(base)/users/f\(j)"
                        let body = Array(
                            #"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(actor)/follows/1","type":"Follow","actor":"\#(actor)","object":"\#(follow)"}"#
                                .utf8)
                        let key = try SigningKey(keyId: actor + "#main-key", privateKeyPEM: keys[sink])
                        let headers = try RequestSigner.signCavage(
                            SignableRequest(method: "POST", targetURI: inbox, headers: ["Content-Type": "application/activity+json"], body: body),
                            key: key)
                        var request = HTTPClientRequest(url: inbox)
                        request.method = .POST
                        for field in headers where field.name.lowercased() != "host" { request.headers.add(name: field.name, value: field.value) }
                        request.body = .bytes(ByteBuffer(bytes: body))
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        if response.status.code != 202 {
                            FileHandle.standardError.write(Data("follow from \(actor): HTTP \(response.status.code)\n".utf8))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await client.shutdown()
    }

    func sinkApplication(sink: Int, base: String, publicKeyPEM: String, state: SinkState) -> some Service {
        let router = Router()
        let fetcher = KeyFetcher()
        router.get("/users/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), name.hasPrefix("f") else { return Response(status: .notFound) }
            return activityJSON(actorDocument(base: base, name: name, publicKeyPEM: publicKeyPEM, keyID: "\(base)/users/\(name)#main-key"))
        }
        router.post("/hold") { _, _ -> Response in
            await state.hold()
            return Response(status: .noContent)
        }
        router.post("/release") { _, _ -> Response in
            await state.release()
            return Response(status: .noContent)
        }
        router.get("/stats") { _, _ -> Response in
            let data = await state.summaryJSON()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
        }
        let receive: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            var headers = HeaderFields(request.headers.map { (name: $0.name.canonicalName, value: $0.value) })
            if let authority = request.head.authority { headers.set("Host", authority) }
            let signable = SignableRequest(method: "POST", targetURI: base + request.uri.description, headers: headers, body: body)
            let verified: Bool
            do {
                let inspection = try SignatureVerifier().inspect(signable)
                try inspection.verify(with: try await fetcher.key(inspection.keyId))
                verified = true
            } catch {
                verified = false
            }
            // Held answers wait here (well within the node's 10 s request timeout).
            while await state.holding { try await Task.sleep(for: .milliseconds(5)) }
            let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            await state.record(sink: sink, type: object?["type"] as? String ?? "", id: object?["id"] as? String ?? "", verified: verified)
            return Response(status: verified ? .accepted : .unauthorized)
        }
        router.post("/inbox", use: receive)
        router.post("/users/:name/inbox", use: receive)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port + sink)), logger: quietLogger)
    }
}

actor SinkState {
    var creates: [[String: Int]]
    var accepts = 0
    var deliveries = 0
    var badSignatures = 0
    var firstCreate: ContinuousClock.Instant?
    var lastCreate: ContinuousClock.Instant?
    var holding = false
    var releasedAt: ContinuousClock.Instant?
    var createsBeforeRelease = 0

    func hold() { holding = true }

    func release() {
        holding = false
        releasedAt = ContinuousClock.now
        createsBeforeRelease = creates.reduce(0) { $0 + $1.values.reduce(0, +) }
    }

    init(sinks: Int) { creates = Array(repeating: [:], count: sinks) }

    func record(sink: Int, type: String, id: String, verified: Bool) {
        deliveries += 1
        guard verified else {
            badSignatures += 1
            return
        }
        switch type {
        case "Create":
            creates[sink][id, default: 0] += 1
            let now = ContinuousClock.now
            if firstCreate == nil { firstCreate = now }
            lastCreate = now
        case "Accept": accepts += 1
        default: break
        }
    }

    func summaryJSON() -> Data {
        (try? JSONSerialization.data(withJSONObject: summary(), options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    func summary() -> [String: Any] {
        let distinct = creates.map(\.count)
        let duplicates = creates.map { $0.values.reduce(0) { $0 + max(0, $1 - 1) } }
        var span = 0.0
        if let firstCreate, let lastCreate { span = (lastCreate - firstCreate).seconds }
        var afterRelease = 0.0
        if let releasedAt, let lastCreate, lastCreate > releasedAt { afterRelease = (lastCreate - releasedAt).seconds }
        let total = creates.reduce(0) { $0 + $1.values.reduce(0, +) }
        return [
            "deliveries": deliveries, "accepts": accepts, "bad_signatures": badSignatures,
            "creates_distinct_min": distinct.min() ?? 0, "creates_distinct_max": distinct.max() ?? 0,
            "creates_distinct_total": distinct.reduce(0, +), "creates_duplicates": duplicates.reduce(0, +),
            "first_to_last_create_seconds": round3(span), "seconds_after_release": round3(afterRelease),
            "creates_after_release": total - createsBeforeRelease,
            "creates_per_second_after_release": afterRelease > 0 ? round1(Double(total - createsBeforeRelease) / afterRelease) : 0,
        ]
    }
}

/// Public keys by keyId, fetched once (an unsigned GET: actors are served to anyone in their
/// key-only form).
actor KeyFetcher {
    var keys: [String: VerificationKey] = [:]
    let client = HTTPClient(eventLoopGroupProvider: .singleton)

    func key(_ keyId: String) async throws -> VerificationKey {
        if let key = keys[keyId] { return key }
        let url = keyId.split(separator: "#", maxSplits: 1).first.map(String.init) ?? keyId
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/activity+json")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard let document = try JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any],
            let publicKey = document["publicKey"] as? [String: Any], let pem = publicKey["publicKeyPem"] as? String
        else { throw BenchError("no publicKey in \(url)") }
        let key = try VerificationKey(pem: pem)
        keys[keyId] = key
        return key
    }
}

/// The Create(Note) the simulated actors send.
func createJSON(actor: String, note: String, content: String) -> String {
    """
    {"@context":"https://www.w3.org/ns/activitystreams","id":"\(note)/activity","type":"Create","actor":"\(actor)",\
    "to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["\(actor)/followers"],\
    "object":{"id":"\(note)","type":"Note","attributedTo":"\(actor)","to":["https://www.w3.org/ns/activitystreams#Public"],\
    "cc":["\(actor)/followers"],"published":"\(ISO8601DateFormatter().string(from: Date()))","content":"\(content)"}}
    """
}

func benchContent(_ number: Int, from name: String) -> String {
    "<p>Benchmark post \(number) from \(name): the quarterly numbers are in. #bench</p>"
}

/// The database's own share of an incoming post, for pgbench (the node's statements, verbatim).
struct InboxScript: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox-script", abstract: "Prints a pgbench script of the statements one incoming Create(Note) runs.")

    @Option(help: "How many remote accounts there are (each client posts as one of them).") var actors: Int

    func run() throws {
        let actor = "https://bench.invalid/users/a0"
        let content = benchContent(0, from: "a0")
        let payload = createJSON(actor: actor, note: "\(actor)/statuses/0", content: content)
        print(BenchScripts.inboxCreate(actors: actors, payload: payload, content: content), terminator: "")
    }
}

/// The database's own share of a home page, for pgbench (the node's statements, verbatim).
struct PageScript: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "page-script", abstract: "Prints a pgbench script of the statements one home timeline page runs.")

    @Option(help: "The reader's account id.") var viewerID: Int64
    @Option(help: "The SHA-256 (hex) of the reader's bearer token, as the node stores it.") var tokenHash: String

    func run() throws {
        print(BenchScripts.homePage(viewerID: viewerID, tokenHash: tokenHash), terminator: "")
    }
}

// MARK: - Client API

struct Post: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Posts N public statuses through the client API, C at a time.")

    @Option(help: "The node, e.g. http://127.0.0.1:8080.") var base: String
    @Option(help: "A bearer token with write:statuses.") var token: String
    @Option var count: Int = 100
    @Option var concurrency: Int = 4

    func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let next = Counter()
        let clock = ContinuousClock()
        let start = clock.now
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var failures = 0
                    while let index = next.take(below: count) {
                        var request = HTTPClientRequest(url: base + "/api/v1/statuses")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer " + token)
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: #"{"status":"Fan-out benchmark post \#(index): all hands at ten."}"#))
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        if response.status.code != 200 { failures += 1 }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (clock.now - start).seconds
        try await client.shutdown()
        printJSON(["posted": count - failures, "failed": failures, "seconds": round3(elapsed)])
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Registers an app and prints a bearer token for USERNAME (password on stdin).")

    @Option var base: String
    @Option var username: String
    @Option var scopes: String = "read write"

    func run() async throws {
        let password = readLine(strippingNewline: true) ?? ""
        let client = HTTPClient.shared
        func post(_ path: String, _ object: [String: Any]) async throws -> [String: Any] {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: object))))
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 200, let object = try JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any] else {
                throw BenchError("\(path): HTTP \(response.status.code) \(String(buffer: body))")
            }
            return object
        }
        let app = try await post("/api/v1/apps", ["client_name": "kith-bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scopes])
        let token = try await post(
            "/oauth/token",
            [
                "grant_type": "password", "client_id": app["client_id"] ?? "", "client_secret": app["client_secret"] ?? "",
                "username": username, "password": password, "scope": scopes,
            ])
        guard let access = token["access_token"] as? String else { throw BenchError("no access_token") }
        print(access)
    }
}

// MARK: - Helpers

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let quietLogger: Logger = {
    var logger = Logger(label: "kith-bench")
    logger.logLevel = .error
    return logger
}()

/// Hands out 0, 1, 2… to concurrent workers.
final class Counter: @unchecked Sendable {
    let lock = NSLock()
    var value = 0
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

func generateKeys(_ count: Int, prefix: String) throws -> [SigningKey] {
    try (0..<count).map { index in
        let pair = try RSAKeyPair.generate()
        return try SigningKey(keyId: "\(prefix)\(index)#main-key", privateKeyPEM: pair.privateKeyPEM)
    }
}

func actorDocument(base: String, name: String, publicKeyPEM: String, keyID: String? = nil) -> String {
    let id = "\(base)/users/\(name)"
    let pem = publicKeyPEM.replacingOccurrences(of: "\n", with: "\\n")
    return """
        {"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],"id":"\(id)","type":"Person",\
        "preferredUsername":"\(name)","name":"Bench \(name)","inbox":"\(id)/inbox","outbox":"\(id)/outbox",\
        "followers":"\(id)/followers","following":"\(id)/following","endpoints":{"sharedInbox":"\(base)/inbox"},\
        "publicKey":{"id":"\(keyID ?? id + "#main-key")","owner":"\(id)","publicKeyPem":"\(pem)"}}
        """
}

func activityJSON(_ text: String) -> Response {
    Response(status: .ok, headers: [.contentType: "application/activity+json"], body: .init(byteBuffer: ByteBuffer(string: text)))
}

/// Maps on every core: signing thousands of requests up front takes seconds on one.
func parallelMap<T: Sendable>(_ range: Range<Int>, _ transform: @escaping @Sendable (Int) throws -> T) async throws -> [T] {
    let chunks = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let size = (range.count + chunks - 1) / max(chunks, 1)
    return try await withThrowingTaskGroup(of: (Int, [T]).self) { group in
        for chunk in 0..<chunks {
            let lower = range.lowerBound + chunk * size
            let upper = min(range.upperBound, lower + size)
            guard lower < upper else { continue }
            group.addTask { (chunk, try (lower..<upper).map(transform)) }
        }
        var parts: [(Int, [T])] = []
        for try await part in group { parts.append(part) }
        return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }
}

func waitForListening(port: Int) async throws {
    for _ in 0..<200 {
        if (try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/users/none"), timeout: .seconds(1))) != nil { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    throw BenchError("nothing listens on 127.0.0.1:\(port)")
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func printJSON(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }
func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
