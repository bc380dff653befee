import ActivityStreams
import Crypto
import Domain
import Federation
import Foundation
import HTTPSignatures
import KithTestSupport
import Testing

/// A deleted post disappears where boosts took it: alice (node A) deletes a post that bob
/// (node B) boosted; carol (node C) follows bob and not alice. A signs the Delete with alice's
/// Ed25519 key (FEP-8b32) and sends it to B as well; B forwards it to bob's followers; C checks
/// it against alice, not against B.
@Suite(.serialized, .timeLimit(.minutes(20))) struct DeleteForwardingTests {
    @Test func aDeletedPostDisappearsWhereBoostsTookIt() async throws {
        try await withThreeNodes { a, b, c in
            let alice = try await a.createAccount("alice")
            let bob = try await b.createAccount("bob")
            let carol = try await c.createAccount("carol")
            _ = try await b.social.follow(accountID: bob.id, a.acct("alice"))
            _ = try await c.social.follow(accountID: carol.id, b.acct("bob"))
            try await eventually("bob follows alice") { try await a.store.graph.followCounts(of: alice.id).followers == 1 }
            try await eventually("carol follows bob") { try await b.store.graph.followCounts(of: bob.id).followers == 1 }

            // alice's actor publishes her Ed25519 key (FEP-521a).
            let actor = try await RawHTTP.get(alice.uri, as: try await c.signingKey(carol))
            let method = try #require(try JSONValue.parse(Array(actor.body.utf8))["assertionMethod"]?.listValue.first)
            #expect(method["type"] == "Multikey" && method["controller"]?.stringValue == alice.uri)
            #expect(method["publicKeyMultibase"]?.stringValue?.hasPrefix("z6Mk") == true)

            let post = try await a.social.post(accountID: alice.id, .init(content: "<p>soon gone</p>"))
            try await eventually("the post on B") { try await b.store.statuses.status(uri: post.uri) != nil }
            let onB = try #require(try await b.store.statuses.status(uri: post.uri))
            _ = try await b.social.boost(accountID: bob.id, statusID: onB.id)
            try await eventually("the boosted post on C", timeout: .seconds(30)) { try await c.store.statuses.status(uri: post.uri) != nil }
            #expect(try await c.count("SELECT count(*) FROM statuses s JOIN statuses o ON o.id = s.reblog_of_id WHERE o.uri = \(post.uri)") == 1)

            try await a.social.delete(accountID: alice.id, statusID: post.id)
            try await eventually("gone on B") { try await b.store.statuses.status(uri: post.uri) == nil }
            try await eventually("gone on C, through B's forward", timeout: .seconds(30)) { try await c.store.statuses.status(uri: post.uri) == nil }
            // A sent the Delete to bob's node (he boosted it), signed by alice's key.
            let payload = try #require(
                try await a.strings("SELECT payload FROM activities WHERE type = 'Delete' AND object_uri = \(post.uri)").first)
            let delete = try JSONValue.parse(Array(payload.utf8))
            #expect(delete["proof"]?["cryptosuite"] == "eddsa-jcs-2022")
            #expect(delete["proof"]?["verificationMethod"]?.stringValue == method["id"]?.stringValue)
            // B's forward went as it came, HTTP-signed by bob, to C only.
            let forwarded = try await b.strings(
                "SELECT d.inbox_uri FROM deliveries d JOIN activities f ON f.id = d.activity_id WHERE f.uri LIKE '%#forwarded-by-bob'")
            #expect(forwarded == [c.baseURL + "/inbox"])
        }
    }

    /// What C refuses from B: a Delete of alice's without her proof, with a proof by another key,
    /// and anything but a Delete, even with her proof.
    @Test func aForwardedActivityNeedsItsAuthorsProof() async throws {
        try await withThreeNodes { a, b, c in
            let alice = try await a.createAccount("alice")
            let bob = try await b.createAccount("bob")
            let carol = try await c.createAccount("carol")
            _ = try await c.social.follow(accountID: carol.id, a.acct("alice"))
            try await eventually("carol follows alice") { try await a.store.graph.followCounts(of: alice.id).followers == 1 }
            let post = try await a.social.post(accountID: alice.id, .init(content: "<p>stays</p>"))
            try await eventually("the post on C") { try await c.store.statuses.status(uri: post.uri) != nil }
            let bobKey = try await b.signingKey(bob)
            let inbox = c.baseURL + "/inbox"
            func send(_ document: JSONValue) async throws -> Int {
                let body = document.serialized()
                return try await RawHTTP.post(inbox, body: body, headers: try RawHTTP.signedHeaders(url: inbox, body: body, key: bobKey)).status
            }
            let delete: JSONValue = [
                "@context": "https://www.w3.org/ns/activitystreams", "id": .string(post.uri + "#delete"), "type": "Delete",
                "actor": .string(alice.uri), "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": ["id": .string(post.uri), "type": "Tombstone"],
            ]
            #expect(try await send(delete) == 401, "no proof")
            let forged = try IntegrityProof.sign(delete, key: Curve25519.Signing.PrivateKey(), verificationMethod: alice.uri + "#ed25519-key")
            #expect(try await send(forged) == 401, "a proof by another key")
            // alice's real proof on something that is not a Delete.
            let aliceKey = try await a.runtime.assertionKeys.signingKey(for: alice)
            let update = try IntegrityProof.sign(
                ["@context": "https://www.w3.org/ns/activitystreams", "id": .string(post.uri + "#update"), "type": "Update",
                 "actor": .string(alice.uri), "object": ["id": .string(post.uri), "type": "Note", "content": "<p>changed</p>"]],
                key: aliceKey.key, verificationMethod: aliceKey.published.id)
            #expect(try await send(update) == 401, "only a Delete is taken from a forwarder")
            #expect(try await c.store.statuses.status(uri: post.uri) != nil)
            // Her real proof on the Delete: accepted from bob's node, and the post goes.
            let signed = try IntegrityProof.sign(delete, key: aliceKey.key, verificationMethod: aliceKey.published.id)
            #expect(try await send(signed) == 202)
            try await eventually("gone on C") { try await c.store.statuses.status(uri: post.uri) == nil }
        }
    }
}
