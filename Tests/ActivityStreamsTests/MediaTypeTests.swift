import ActivityStreams
import HTTPSignatures
import Testing

@Suite struct MediaTypeTests {
    @Test(arguments: [
        "application/activity+json", "application/activity+json; charset=utf-8",
        "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
        "Application/LD+JSON;profile=\"https://www.w3.org/ns/activitystreams\"",
    ])
    func recognisesActivityPubTypes(_ value: String) {
        #expect(ActivityStreamsMediaType.matches(value))
    }

    @Test(arguments: ["application/json", "application/ld+json", "text/html", ""])
    func rejectsOthers(_ value: String) {
        #expect(!ActivityStreamsMediaType.matches(value))
    }

    @Test func generatedKeysAreRSA2048PEM() throws {
        let pair = try RSAKeyPair.generate()
        #expect(pair.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let key = try RSAKeyPair.privateKey(fromPEM: pair.privateKeyPEM)
        #expect(key.keySizeInBits == 2048)
        #expect(key.publicKey.pemRepresentation == pair.publicKeyPEM)
    }
}
