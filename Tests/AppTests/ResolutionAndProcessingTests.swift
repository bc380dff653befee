import ActivityStreams
import App
import Core
import Domain
import Federation
import Foundation
import HTTPSignatures
import Hummingbird
import KithTestSupport
import Logging
import PostgresNIO
import ServiceLifecycle
import Storage
import Testing

/// Outgoing fetches keep to their limits; captured GoToSocial deliveries are processed; a
/// rotated key is fetched again.
@Suite(.serialized, .timeLimit(.minutes(20))) struct ResolutionAndProcessingTests {
    /// A small peer that serves what the tests need: a large document, redirects, a loop.
    func withPeer(_ body: @Sendable (Int) async throws -> Void) async throws {
        let port = try Loopback.freePort()
        let router = Router()
        router.get("/big") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x20, count: 2 << 20))) }
        router.get("/small") { _, _ in #"{"id":"x"}"# }
        router.get("/hop/:n") { _, context in
            let n = Int(try context.parameters.require("n")) ?? 0
            return Response(status: .found, headers: [.location: n == 0 ? "/small" : "/hop/\(n - 1)"])
        }
        router.get("/loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: TestDatabase.logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: TestDatabase.logger))
        let task = Task { try await group.run() }
        defer { task.cancel() }
        while Loopback.get(port: port, path: "/small", timeoutSeconds: 1)?.status != 200 { try await Task.sleep(for: .milliseconds(20)) }
        try await body(port)
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    @Test func fetchesKeepToTheirLimits() async throws {
        try await withPeer { port in
            let base = "http://127.0.0.1:\(port)"
            let lab = FederationHTTPClient(settings: TestNode.testSettings, userAgent: "test", logger: TestDatabase.logger)
            defer { Task { try? await lab.shutdown() } }
            #expect(try await lab.get(base + "/small", signedBy: nil).status == 200)
            // Redirects are followed, up to three hops.
            let followed = try await lab.get(base + "/hop/2", signedBy: nil)
            #expect(followed.status == 200)
            #expect(followed.url == base + "/small")
            await #expect(throws: KithError.self) { try await lab.get(base + "/loop", signedBy: nil) }
            await #expect(throws: KithError.self) { try await lab.get(base + "/hop/5", signedBy: nil) }
            // More than 1 MB is refused.
            do {
                _ = try await lab.get(base + "/big", signedBy: nil)
                Issue.record("a 2 MB document was accepted")
            } catch let error as KithError {
                #expect(error.message.contains("1048576"))
            }
            // Only http(s).
            await #expect(throws: KithError.self) { try await lab.get("ftp://127.0.0.1:\(port)/small", signedBy: nil) }

            // The production defaults refuse plain http and loopback addresses.
            let strict = FederationHTTPClient(settings: FederationSettings(), userAgent: "test", logger: TestDatabase.logger)
            defer { Task { try? await strict.shutdown() } }
            do {
                _ = try await strict.get(base + "/small", signedBy: nil)
                Issue.record("plain http was allowed")
            } catch let error as KithError {
                #expect(error.kind == .forbidden)
            }
            let https = FederationSettings(allowHTTP: true)
            let noPrivate = FederationHTTPClient(settings: https, userAgent: "test", logger: TestDatabase.logger)
            defer { Task { try? await noPrivate.shutdown() } }
            do {
                _ = try await noPrivate.get(base + "/small", signedBy: nil)
                Issue.record("a loopback address was allowed")
            } catch let error as KithError {
                #expect(error.kind == .forbidden)
                #expect(error.message.contains("private"))
            }
        }
    }

    @Test func capturedGoToSocialDeliveriesAreProcessed() async throws {
        try await withNodeGate { try await capturedDeliveries() }
    }

    func capturedDeliveries() async throws {
        let node = try await TestNode(name: "gts")
        do {
            try await node.start()
            try await node.allow(domain: "127.0.0.1:8480")
            let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../federation/fixtures/gotosocial")
            let actorJSON = try JSONValue.parse(try Data(contentsOf: fixtures.appendingPathComponent("actor_person.json")))
            let alice = try await node.runtime.resolver.store(actorJSON, fetchedFrom: "http://127.0.0.1:8480/users/alice")
            #expect(alice.publicKeyID == "http://127.0.0.1:8480/users/alice/main-key")
            func deliver(_ name: String) async throws {
                let raw = try String(contentsOf: fixtures.appendingPathComponent(name + ".body"), encoding: .utf8)
                let activity = try ASActivity(JSONValue.parse(Array(raw.utf8)))
                _ = try await node.store.queue.enqueueInbox(
                    activityURI: activity.id ?? name, type: activity.type, actorURI: activity.actor, recipientAccountID: nil, payload: raw)
                await node.runtime.processor.signal.notify()
                try await eventually("\(name) processed") { try await node.count("SELECT count(*) FROM inbox_items WHERE state = 'pending'") == 0 }
            }
            let first = "http://127.0.0.1:8480/users/alice/statuses/01M83QMZEB8NP0HRDBJZSXTM7F"
            let second = "http://127.0.0.1:8480/users/alice/statuses/01M83QND6JHZWKW3Q59F4ZW86W"
            for name in ["delivery_Create_Note", "delivery_Create_Note_2", "delivery_Update_Person"] { try await deliver(name) }
            #expect(try await node.count("SELECT count(*) FROM inbox_items WHERE state = 'failed'") == 0)
            let note = try #require(try await node.store.statuses.status(uri: first))
            #expect(note.tags == ["fixtures"])  // GoToSocial sends a single tag as an object
            #expect(note.visibility == .public)
            #expect(note.content.contains("from GoToSocial"))
            let reply = try #require(try await node.store.statuses.status(uri: second))
            #expect(reply.inReplyToID == note.id)
            // The Update changed nothing visible but was applied without error.
            #expect(try await node.store.accounts.account(uri: alice.uri)?.publicKeyID == alice.publicKeyID)

            try await deliver("delivery_Delete")
            #expect(try await node.store.statuses.status(uri: first) == nil)
            #expect(try await node.store.statuses.isTombstoned(uri: first))
            #expect(try await node.store.statuses.status(uri: second)?.inReplyToURI == first)
            // Replayed, the Create does not bring the deleted post back.
            try await node.pool.client.query("DELETE FROM inbox_items", logger: TestDatabase.logger)
            try await deliver("delivery_Create_Note")
            #expect(try await node.store.statuses.status(uri: first) == nil)
        } catch {
            await node.remove()
            throw error
        }
        await node.remove()
    }

    @Test func aRotatedKeyIsFetchedAgainOnce() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let inbox = "\(hq.baseURL)/users/alice/inbox"
            func follow(_ n: Int) -> [UInt8] {
                Array(#"{"id":"\#(bob.uri)#follows/\#(n)","type":"Follow","actor":"\#(bob.uri)","object":"\#(alice.uri)"}"#.utf8)
            }
            let first = follow(1)
            #expect(try await RawHTTP.post(inbox, body: first, headers: try RawHTTP.signedHeaders(url: inbox, body: first, key: try await sub.signingKey(bob))).status == 202)
            // bob's node rotates his key; hq still has the old one cached.
            let rotated = try RSAKeyPair.generate()
            try await sub.pool.client.query(
                "UPDATE accounts SET public_key_pem = \(rotated.publicKeyPEM), private_key_pem = \(rotated.privateKeyPEM) WHERE id = \(bob.id)",
                logger: TestDatabase.logger)
            let newKey = try SigningKey(keyId: bob.publicKeyID, privateKeyPEM: rotated.privateKeyPEM)
            let second = follow(2)
            let response = try await RawHTTP.post(inbox, body: second, headers: try RawHTTP.signedHeaders(url: inbox, body: second, key: newKey))
            #expect(response.status == 202, "\(response.body)")
            #expect(try await hq.store.accounts.account(uri: bob.uri)?.publicKeyPEM == rotated.publicKeyPEM)
            // A key that verifies with neither the cached nor the fetched key is still refused.
            let forged = try SigningKey(keyId: bob.publicKeyID, privateKeyPEM: try RSAKeyPair.generate().privateKeyPEM)
            let third = follow(3)
            #expect(try await RawHTTP.post(inbox, body: third, headers: try RawHTTP.signedHeaders(url: inbox, body: third, key: forged)).status == 401)
        }
    }
}
