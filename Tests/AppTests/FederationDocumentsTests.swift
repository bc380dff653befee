import API
import ActivityStreams
import App
import Domain
import Federation
import Foundation
import HTTPSignatures
import Hummingbird
import HummingbirdTesting
import KithTestSupport
import Storage
import Testing

/// Actor documents, WebFinger, host-meta and NodeInfo, served from a real database.
@Suite(.timeLimit(.minutes(5))) struct FederationDocumentsTests {
    static let config: KithConfig = {
        var config = KithConfig()
        config.publicURL = "https://kith.example"
        return config
    }()

    /// Runs `body` with a migrated database holding alice (locked) and bob, and a test client.
    func withNode(_ body: @Sendable @escaping (any TestClientProtocol, DatabasePool) async throws -> Void) async throws {
        try await TestDatabase.with("fed_docs") { testDB in
            let database = DatabasePool(endpoint: testDB.endpoint, maxConnections: 4, logger: TestDatabase.logger)
            try await database.withRunning { db in
                try await MigrationRunner(client: db.client, directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger).migrate()
                let accounts = PostgresAccountRepository(client: db.client, logger: TestDatabase.logger)
                for name in ["alice", "bob"] {
                    let pair = try RSAKeyPair.generate()
                    _ = try await accounts.createLocal(
                        NewLocalAccount(
                            username: try Username(name), email: "\(name)@kith.example", role: .user, passwordHash: "$2b$12$x",
                            publicKeyPEM: pair.publicKeyPEM, privateKeyPEM: pair.privateKeyPEM, baseURL: "https://kith.example"))
                }
                try await db.client.query("UPDATE accounts SET locked = true, note = '<p>Hi</p>' WHERE username = 'alice'", logger: TestDatabase.logger)
                let federation = KithNode.federationStorage(database: db, logger: TestDatabase.logger)
                let app = buildApplication(
                    config: Self.config, dependencies: AppDependencies(database: db, logger: TestDatabase.logger, federation: federation))
                try await app.test(.router) { client in try await body(client, db) }
            }
        }
    }

    func json(_ response: TestResponse) throws -> JSONValue {
        try JSONValue.parse(response.body.readableBytesView)
    }

    @Test func actorDocumentInBothContentTypes() async throws {
        try await withNode { client, _ in
            try await client.execute(uri: "/users/alice", method: .get, headers: [.accept: "application/activity+json"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/activity+json")
                let actor = try json(response)
                #expect(actor["@context"]?.listValue.first == "https://www.w3.org/ns/activitystreams")
                #expect(actor["@context"]?.listValue.contains("https://w3id.org/security/v1") == true)
                let parsed = try ASActor(actor)
                #expect(parsed.id == "https://kith.example/users/alice")
                #expect(parsed.type == "Person")
                #expect(parsed.preferredUsername == "alice")
                #expect(parsed.inbox == "https://kith.example/users/alice/inbox")
                #expect(parsed.outbox == "https://kith.example/users/alice/outbox")
                #expect(parsed.followers == "https://kith.example/users/alice/followers")
                #expect(parsed.following == "https://kith.example/users/alice/following")
                #expect(parsed.featured == "https://kith.example/users/alice/collections/featured")
                #expect(parsed.sharedInbox == "https://kith.example/inbox")
                #expect(parsed.url == "https://kith.example/@alice")
                #expect(parsed.publicKeyId == "https://kith.example/users/alice#main-key")
                #expect(parsed.manuallyApprovesFollowers)
                #expect(parsed.summary == "<p>Hi</p>")
                #expect(parsed.published != nil)
                #expect(actor["publicKey"]?["owner"] == "https://kith.example/users/alice")
                // The public key is usable, and the private key is never served.
                _ = try VerificationKey(pem: try #require(parsed.publicKeyPEM))
                let text = String(buffer: response.body)
                #expect(!text.contains("PRIVATE KEY"))
            }
            let ld = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
            try await client.execute(uri: "/users/bob", method: .get, headers: [.accept: ld]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == ld)
                #expect(response.headers[.vary] == "Accept")
                let actor = try ASActor(try json(response))
                #expect(actor.manuallyApprovesFollowers == false)
            }
            try await client.execute(uri: "/users/nobody", method: .get, headers: [.accept: ld]) { response in
                let body = try json(response)
                #expect(response.status == .notFound)
                #expect(body["error"]?.stringValue?.contains("nobody") == true)
            }
        }
    }

    @Test func applicationActorIsMadeOnceAndSigns() async throws {
        try await withNode { client, db in
            var first: String?
            for _ in 0..<2 {
                try await client.execute(uri: "/actor", method: .get) { response in
                    #expect(response.status == .ok)
                    let actor = try ASActor(try json(response))
                    #expect(actor.type == "Application")
                    #expect(actor.id == "https://kith.example/actor")
                    #expect(actor.publicKeyId == "https://kith.example/actor#main-key")
                    #expect(first == nil || first == actor.publicKeyPEM)
                    first = actor.publicKeyPEM
                }
            }
            let rows = try await db.client.query("SELECT count(*) FROM node_keys WHERE name = 'application'", logger: TestDatabase.logger)
            #expect(try await rows.collect().first?.decode(Int.self) == 1)
            // The stored private key matches the served public key.
            let pair = try await KithNode.federationStorage(database: db, logger: TestDatabase.logger).keys.applicationKeyPair()
            #expect(pair.publicKeyPEM == first)
            var request = SignableRequest(method: "GET", targetURI: "https://other.example/users/x", headers: [:])
            request.headers = try RequestSigner.signCavage(
                request, key: try SigningKey(keyId: "https://kith.example/actor#main-key", privateKeyPEM: pair.privateKeyPEM))
            try SignatureVerifier().inspect(request).verify(with: try VerificationKey(pem: try #require(first)))
        }
    }

    @Test func webfinger() async throws {
        try await withNode { client, _ in
            for resource in ["acct:alice@kith.example", "acct:ALICE@KITH.EXAMPLE", "ACCT:alice@kith.example",
                "https://kith.example/users/alice", "https://kith.example/@alice"]
            {
                let query = resource.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await client.execute(uri: "/.well-known/webfinger?resource=\(query)", method: .get) { response in
                    #expect(response.status == .ok, "\(resource)")
                    #expect(response.headers[.contentType] == "application/jrd+json")
                    let jrd = try json(response)
                    #expect(jrd["subject"] == "acct:alice@kith.example")
                    #expect(jrd["aliases"]?.listValue.contains("https://kith.example/users/alice") == true)
                    let links = jrd["links"]?.listValue ?? []
                    let selfTypes = links.filter { $0["rel"] == "self" }.compactMap { $0["type"]?.stringValue }
                    #expect(selfTypes.contains("application/activity+json"))
                    #expect(selfTypes.contains(ActivityStreamsMediaType.ldJSON))
                    #expect(links.filter { $0["rel"] == "self" }.allSatisfy { $0["href"] == "https://kith.example/users/alice" })
                    #expect(links.contains { $0["rel"] == "http://webfinger.net/rel/profile-page" && $0["href"] == "https://kith.example/@alice" })
                }
            }
            try await client.execute(uri: "/.well-known/webfinger?resource=acct:kith.example@kith.example", method: .get) { response in
                #expect(response.status == .ok)
                let links = try json(response)["links"]?.listValue ?? []
                #expect(links.contains { $0["href"] == "https://kith.example/actor" })
            }
            for (resource, status) in [
                ("acct:nobody@kith.example", HTTPResponse.Status.notFound), ("acct:alice@elsewhere.example", .notFound),
                ("https://elsewhere.example/users/alice", .notFound), ("acct:alice", .badRequest), ("acct:@kith.example", .badRequest),
                ("acct:a%20b@kith.example", .badRequest), ("", .badRequest),
                // RFC 7033: the resource is a URI. Not one (no scheme): 400; a scheme this node
                // does not serve: 404.
                ("alice@kith.example", .badRequest), ("@alice@kith.example", .badRequest), ("1acct:alice@kith.example", .badRequest),
                ("mailto:alice@kith.example", .notFound), ("foo://kith.example", .notFound), ("xmpp:alice@kith.example", .notFound),
            ] {
                try await client.execute(uri: "/.well-known/webfinger?resource=\(resource)", method: .get) { response in
                    let body = try json(response)
                    #expect(response.status == status, "\(resource)")
                    #expect(body["error"]?.stringValue != nil)
                }
            }
            try await client.execute(uri: "/.well-known/webfinger", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func hostMetaAndNodeInfo() async throws {
        try await withNode { client, db in
            try await client.execute(uri: "/.well-known/host-meta", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/xrd+xml") == true)
                #expect(String(buffer: response.body).contains(#"template="https://kith.example/.well-known/webfinger?resource={uri}""#))
            }
            for (uri, accept) in [("/.well-known/host-meta", "application/json"), ("/.well-known/host-meta.json", "*/*")] {
                try await client.execute(uri: uri, method: .get, headers: [.accept: accept]) { response in
                    let body = try json(response)
                    #expect(response.status == .ok)
                    #expect(body["links"]?.listValue.first?["rel"] == "lrdd")
                }
            }
            try await client.execute(uri: "/.well-known/nodeinfo", method: .get) { response in
                let links = try json(response)["links"]?.listValue ?? []
                #expect(links.contains { $0["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.0" && $0["href"] == "https://kith.example/nodeinfo/2.0" })
                #expect(links.contains { $0["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1" && $0["href"] == "https://kith.example/nodeinfo/2.1" })
                #expect(links.contains { $0["rel"] == "https://www.w3.org/ns/activitystreams#Application" })
            }
            // One local post by alice: counted as a post and as an active user.
            try await db.client.query(
                """
                INSERT INTO statuses (uri, account_id, local, content)
                SELECT uri || '/statuses/1', id, true, '<p>hello</p>' FROM accounts WHERE username = 'alice'
                """, logger: TestDatabase.logger)
            for version in ["2.0", "2.1"] {
                try await client.execute(uri: "/nodeinfo/\(version)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.contains("schema/\(version)#") == true)
                    let info = try json(response)
                    #expect(info["version"]?.stringValue == version)
                    #expect(info["software"]?["name"] == "kith")
                    #expect(info["software"]?["version"]?.stringValue == KithVersion.current)
                    #expect(info["protocols"] == ["activitypub"])
                    #expect(info["openRegistrations"] == false)
                    #expect(info["usage"]?["users"]?["total"]?.numberValue == 2)
                    #expect(info["usage"]?["users"]?["activeMonth"]?.numberValue == 1)
                    #expect(info["usage"]?["localPosts"]?.numberValue == 1)
                }
            }
            try await client.execute(uri: "/nodeinfo/3.0", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
