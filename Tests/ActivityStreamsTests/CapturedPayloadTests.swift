import ActivityStreams
import Foundation
import HTTPSignatures
import Testing

/// Deliveries captured from a running GoToSocial must verify; payloads from real servers
/// must parse.
@Suite struct CapturedPayloadTests {
    struct Delivery {
        var name: String
        var path: String
        var headers: HeaderFields
        var body: [UInt8]
    }

    static func deliveries() throws -> [Delivery] {
        try Fixtures.files(in: "gotosocial").filter { $0.contains("/delivery_") }.map { path in
            let json = try Fixtures.json(path)
            let headers = (json["headers"]?.objectValue ?? [:]).compactMap { name, value in value.stringValue.map { (name: name, value: $0) } }
            // The raw body bytes as sent (the .json file holds the parsed form).
            let raw = try Fixtures.data(String(path.dropLast(".json".count)) + ".body")
            return Delivery(name: path, path: json["path"]?.stringValue ?? "", headers: HeaderFields(headers), body: Array(raw))
        }
    }

    @Test func goToSocialDeliveriesVerifyWithAlicesKey() throws {
        let actor = try ASActor(Fixtures.json("gotosocial/actor_person.json"))
        let key = try VerificationKey(pem: try #require(actor.publicKeyPEM))
        let deliveries = try Self.deliveries()
        #expect(deliveries.count >= 8)
        for delivery in deliveries {
            let host = try #require(delivery.headers["Host"])
            let request = SignableRequest(method: "POST", targetURI: "http://\(host)\(delivery.path)", headers: delivery.headers, body: delivery.body)
            let date = try #require(delivery.headers["Date"])
            let signedAt = try #require(HTTPDate.parse(date))
            let inspection = try SignatureVerifier().inspect(request, now: signedAt.addingTimeInterval(5))
            #expect(inspection.keyId == actor.publicKeyId, "\(delivery.name)")
            try inspection.verify(with: key)
            // The signing key's owner is the activity's actor.
            let activity = try ASActivity(JSONValue.parse(delivery.body))
            #expect(activity.actor == actor.id, "\(delivery.name)")

            // One changed byte in the body, and the delivery is refused.
            var tampered = request
            tampered.body[tampered.body.count / 2] ^= 0x01
            #expect(throws: SignatureError.self) { try SignatureVerifier().inspect(tampered, now: signedAt).verify(with: key) }
            // Long after, it is stale.
            #expect(throws: SignatureError.self) { try SignatureVerifier().inspect(request, now: signedAt.addingTimeInterval(7200)) }
        }
    }

    @Test func goToSocialDocumentsParse() throws {
        let actor = try ASActor(Fixtures.json("gotosocial/actor_person.json"))
        #expect(actor.type == "Person")
        #expect(actor.preferredUsername == "alice")
        #expect(actor.inbox == "http://127.0.0.1:8480/users/alice/inbox")
        #expect(actor.publicKeyId == "http://127.0.0.1:8480/users/alice/main-key")
        #expect(actor.followers == "http://127.0.0.1:8480/users/alice/followers")

        let note = try ASPost(Fixtures.json("gotosocial/note.json"))
        #expect(note.type == "Note")
        #expect(note.attributedTo == actor.id)
        #expect(!note.content.isEmpty)
        #expect(!note.to.isEmpty)

        for path in Fixtures.files(in: "gotosocial") where path.contains("/delivery_") {
            let body = try #require(try Fixtures.json(path)["body"])
            let activity = try ASActivity(body)
            #expect(activity.id != nil, "\(path)")
            #expect(activity.objectId != nil, "\(path)")
            if activity.type == "Create" {
                let post = try ASPost(try #require(activity.object))
                #expect(post.content.contains("<p>"), "\(path)")
                // cc is a single string in GoToSocial's output.
                #expect(post.cc.count == 1, "\(path)")
            }
            if activity.type == "Update" {
                let updated = try ASActor(try #require(activity.object))
                #expect(updated.id == actor.id)
            }
        }
    }
}

/// Requests signed by independent implementations (apsig, bovine, http-message-signatures;
/// made by `federation/make_signature_vectors.py`) verify in Kith, and fail when tampered with.
@Suite struct IndependentVectorTests {
    @Test func everyVectorVerifies() throws {
        let vectors = try Fixtures.json("signatures/vectors.json").listValue
        #expect(vectors.count >= 8)
        var formats: Set<String> = []
        for vector in vectors {
            let name = vector["name"]?.stringValue ?? "?"
            let headers = (vector["headers"]?.objectValue ?? [:]).compactMap { key, value in value.stringValue.map { (name: key, value: $0) } }
            let request = SignableRequest(
                method: try #require(vector["method"]?.stringValue), targetURI: try #require(vector["url"]?.stringValue),
                headers: HeaderFields(headers), body: Array((vector["body"]?.stringValue ?? "").utf8))
            let signedAt = Date(timeIntervalSince1970: try #require(vector["signedAt"]?.numberValue))
            let key = try VerificationKey(pem: try #require(vector["publicKeyPem"]?.stringValue))
            let inspection = try SignatureVerifier().inspect(request, now: signedAt.addingTimeInterval(10))
            #expect(inspection.keyId == vector["keyId"]?.stringValue, "\(name)")
            #expect(inspection.format.rawValue.hasPrefix(vector["format"]?.stringValue == "rfc9421" ? "rfc9421" : "draft-cavage"), "\(name)")
            formats.insert(inspection.format.rawValue)
            try inspection.verify(with: key)

            var tampered = request
            if tampered.body.isEmpty {
                tampered.targetURI += "x"
            } else {
                tampered.body[0] ^= 0x20
            }
            #expect(throws: SignatureError.self, "\(name)") {
                try SignatureVerifier().inspect(tampered, now: signedAt).verify(with: key)
            }
        }
        #expect(formats == [SignatureFormat.cavage.rawValue, SignatureFormat.rfc9421.rawValue])
    }
}

/// Actors, posts and activities captured from Mastodon, Misskey, Akkoma/Pleroma and Lemmy
/// all parse, with the fields Kith relies on.
@Suite struct RealServerPayloadTests {
    static let softwares = ["mastodon", "misskey", "akkoma", "pleroma", "lemmy", "gotosocial"]

    @Test func everyPayloadParses() throws {
        var counts: [String: Int] = [:]
        for software in Self.softwares {
            for path in Fixtures.files(in: software) where !path.contains("/delivery_") && !path.contains("/collection_")
                && !path.contains("/nodeinfo") && !path.contains("/webfinger")
            {
                let json = try Fixtures.json(path)
                let types = ASObject.types(of: json)
                if types.contains(where: ASActor.actorTypes.contains) {
                    let actor = try ASActor(json)
                    #expect(!actor.inbox.isEmpty, "\(path)")
                    #expect(actor.publicKeyPEM?.contains("BEGIN PUBLIC KEY") == true, "\(path)")
                    #expect(!actor.preferredUsername.isEmpty, "\(path)")
                    counts["actor", default: 0] += 1
                } else if types.contains(where: ASPost.postTypes.contains) {
                    let post = try ASPost(json)
                    #expect(!post.attributedTo.isEmpty, "\(path)")
                    #expect(!post.content.isEmpty || post.name != nil, "\(path)")
                    counts["post", default: 0] += 1
                } else {
                    let activity = try ASActivity(json)
                    #expect(activity.objectId != nil, "\(path)")
                    if ["Create", "Update"].contains(activity.type), let object = activity.object, object.objectValue != nil,
                        ASObject.types(of: object).contains(where: ASPost.postTypes.contains)
                    {
                        let post = try ASPost(object)
                        #expect(!post.content.isEmpty || post.name != nil, "\(path)")
                        counts["embedded post", default: 0] += 1
                    }
                    counts[activity.type, default: 0] += 1
                }
            }
        }
        #expect(counts["actor", default: 0] >= 6)
        #expect(counts["post", default: 0] >= 5)
        #expect(counts["embedded post", default: 0] >= 4)
        for type in ["Follow", "Announce", "Like", "Undo", "Delete", "Create"] {
            #expect(counts[type, default: 0] >= 1, "\(type)")
        }
    }

    @Test func leniencyOnRealQuirks() throws {
        // Lemmy 2020: single-string `to`, no content (the title is in `name`).
        let page = try ASPost(Fixtures.json("lemmy/page_2020.json"))
        #expect(page.type == "Page")
        #expect(page.to.count == 1)
        // Misskey: nulls where strings are expected.
        let nulls = try ASActor(Fixtures.json("misskey/actor_person_nulls.json"))
        #expect(nulls.name == nil)
        #expect(nulls.iconURL == nil)
        // Mastodon: the public collection in cc or to, mentions and hashtags in `tag`.
        let note = try ASPost(Fixtures.json("mastodon/note.json"))
        #expect((note.to + note.cc).contains(where: ASPublic.isPublic))
        // Lemmy's Announce wraps a whole Create activity.
        let announce = try ASActivity(Fixtures.json("lemmy/announce_create_page.json"))
        #expect(announce.type == "Announce")
        #expect(announce.object?["type"] == "Create")
        // A Delete of an actor names the actor itself as the object.
        let deleteActor = try ASActivity(Fixtures.json("mastodon/delete_actor.json"))
        #expect(deleteActor.objectId == deleteActor.actor)
    }

    @Test func garbageIsRefusedWithAReason() {
        #expect(throws: ActivityStreamsError.self) { try JSONValue.parse(Array("{not json".utf8)) }
        #expect(throws: ActivityStreamsError.self) { try ASActivity(["type": "Follow"]) }
        #expect(throws: ActivityStreamsError.self) { try ASActor(["id": "https://x.example/u", "type": "Note", "inbox": "https://x.example/i"]) }
        #expect(throws: ActivityStreamsError.self) { try ASActor(["id": "https://x.example/u", "type": "Person"]) }
        #expect(throws: ActivityStreamsError.self) { try ASPost(["id": "https://x.example/n", "type": "Note"]) }
        #expect(throws: ActivityStreamsError.self) { try ASPost(.array([])) }
    }
}
