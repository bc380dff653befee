import Foundation
import HTTPSignatures
import Testing

@testable import HTTPSignatures

@Suite struct SignatureTests {
    static let rsa = try! RSAKeyPair.generate()
    static let otherRSA = try! RSAKeyPair.generate()
    static let keyId = "https://remote.example/users/bob#main-key"
    static let body = Array(#"{"type":"Follow","actor":"https://remote.example/users/bob","object":"https://kith.example/users/alice"}"#.utf8)
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    var signingKey: SigningKey { try! SigningKey(keyId: Self.keyId, privateKeyPEM: Self.rsa.privateKeyPEM) }
    var publicKey: VerificationKey { try! VerificationKey(pem: Self.rsa.publicKeyPEM) }

    func post(_ body: [UInt8] = SignatureTests.body) -> SignableRequest {
        SignableRequest(
            method: "POST", targetURI: "https://kith.example/users/alice/inbox",
            headers: ["Content-Type": "application/activity+json"], body: body)
    }

    func get() -> SignableRequest {
        SignableRequest(method: "GET", targetURI: "https://kith.example/users/alice?page=1", headers: ["Accept": "application/activity+json"])
    }

    func verify(_ request: SignableRequest, key: VerificationKey? = nil, now: Date = SignatureTests.now) throws(SignatureError) {
        let inspection = try SignatureVerifier().inspect(request, now: now)
        try inspection.verify(with: key ?? publicKey)
    }

    /// Why `body` failed: the signature error's reason, nil when it did not throw.
    func reason(_ body: () throws -> Void) -> SignatureError.Reason? {
        do {
            try body()
            return nil
        } catch {
            return (error as? SignatureError)?.reason
        }
    }

    // MARK: draft-cavage

    @Test func cavagePostRoundTripsInMastodonsForm() throws {
        var request = post()
        request.headers = try RequestSigner.signCavage(request, key: signingKey, now: Self.now)
        let signature = try #require(request.headers["Signature"])
        #expect(signature.contains(#"keyId="https://remote.example/users/bob#main-key""#))
        #expect(signature.contains(#"algorithm="rsa-sha256""#))
        #expect(signature.contains(#"headers="(request-target) host date digest content-type""#))
        #expect(request.headers["Host"] == "kith.example")
        #expect(request.headers["Date"] == HTTPDate.format(Self.now))
        #expect(request.headers["Digest"] == BodyDigest.digestHeader(for: Self.body))
        let inspection = try SignatureVerifier().inspect(request, now: Self.now)
        #expect(inspection.format == .cavage)
        #expect(inspection.keyId == Self.keyId)
        try inspection.verify(with: publicKey)
    }

    @Test func cavageGetSignsHostAndAccept() throws {
        var request = get()
        request.headers = try RequestSigner.signCavage(request, key: signingKey, now: Self.now)
        #expect(request.headers["Signature"]?.contains(#"headers="(request-target) host date accept""#) == true)
        #expect(request.headers["Digest"] == nil)
        try verify(request)
    }

    @Test func cavageAcceptsAuthorizationHeaderAndHs2019() throws {
        var request = post()
        request.headers = try RequestSigner.signCavage(request, key: signingKey, now: Self.now)
        let value = try #require(request.headers["Signature"]).replacingOccurrences(of: "rsa-sha256", with: "hs2019")
        request.headers.set("Signature", "")
        request.headers = HeaderFields(request.headers.fields.filter { $0.name != "Signature" })
        request.headers.set("Authorization", "Signature " + value)
        try verify(request)
    }

    @Test func cavageRejections() throws {
        var signed = post()
        signed.headers = try RequestSigner.signCavage(signed, key: signingKey, now: Self.now)

        #expect(reason { try verify(post()) } == .missing)

        var tampered = signed
        tampered.body = Array(#"{"type":"Follow","actor":"https://evil.example/users/mallory"}"#.utf8)
        #expect(reason { try verify(tampered) } == .digestMismatch)

        // A forged digest that matches the new body still fails: the digest is signed.
        tampered.headers.set("Digest", BodyDigest.digestHeader(for: tampered.body))
        #expect(reason { try verify(tampered) } == .invalidSignature)

        var noDigest = signed
        noDigest.headers = HeaderFields(signed.headers.fields.filter { $0.name != "Digest" })
        #expect(reason { try verify(noDigest) } == .missingDigest)

        #expect(reason { try verify(signed, key: try VerificationKey(pem: Self.otherRSA.publicKeyPEM)) } == .invalidSignature)
        #expect(reason { try verify(signed, now: Self.now.addingTimeInterval(3601)) } == .stale)
        #expect(reason { try verify(signed, now: Self.now.addingTimeInterval(-3601)) } == .future)
        try verify(signed, now: Self.now.addingTimeInterval(3500))
        try verify(signed, now: Self.now.addingTimeInterval(-3500))

        var otherPath = signed
        otherPath.targetURI = "https://kith.example/inbox"
        #expect(reason { try verify(otherPath) } == .invalidSignature)

        var changedMethod = signed
        changedMethod.method = "PUT"
        #expect(reason { try verify(changedMethod) } == .invalidSignature)

        var badAlgorithm = signed
        badAlgorithm.headers.set("Signature", signed.headers["Signature"]!.replacingOccurrences(of: "rsa-sha256", with: "hmac-sha256"))
        #expect(reason { try verify(badAlgorithm) } == .unsupportedAlgorithm)

        var garbage = signed
        garbage.headers.set("Signature", #"keyId="x",signature="not base64!!""#)
        #expect(reason { try verify(garbage) } == .malformed)
        garbage.headers.set("Signature", #"keyId="x",signature="#)
        #expect(reason { try verify(garbage) } == .malformed)
        garbage.headers.set("Signature", #"signature="AAAA""#)
        #expect(reason { try verify(garbage) } == .malformed)
    }

    @Test func cavageRequiresTargetDateDigestAndHost() throws {
        func signed(_ names: String, request: SignableRequest) throws -> SignableRequest {
            var request = request
            request.headers.set("Host", "kith.example")
            request.headers.set("Date", HTTPDate.format(Self.now))
            request.headers.set("Digest", BodyDigest.digestHeader(for: request.body))
            let list = names.split(separator: " ").map(String.init)
            let base = try Cavage.signingString(list, request: request, created: nil, expires: nil)
            let signature = try signingKey.sign(Array(base.utf8), algorithm: .rsaSHA256)
            request.headers.set(
                "Signature",
                #"keyId="\#(Self.keyId)",algorithm="rsa-sha256",headers="\#(names)",signature="\#(Data(signature).base64EncodedString())""#)
            return request
        }
        try verify(try signed("(request-target) host date digest", request: post()))
        #expect(reason { try verify(try! signed("host date digest", request: post())) } == .missingComponent)
        #expect(reason { try verify(try! signed("(request-target) host digest", request: post())) } == .missingComponent)
        #expect(reason { try verify(try! signed("(request-target) host date", request: post())) } == .missingComponent)
        try verify(try signed("(request-target) host date", request: get()))
        #expect(reason { try verify(try! signed("(request-target) date", request: get())) } == .missingComponent)
    }

    @Test func cavageCreatedAndExpires() throws {
        var request = get()
        request.headers.set("Host", "kith.example")
        let created = Int64(Self.now.timeIntervalSince1970)
        let names = ["(request-target)", "host", "(created)", "(expires)"]
        let base = try Cavage.signingString(names, request: request, created: created, expires: created + 300)
        let signature = Data(try signingKey.sign(Array(base.utf8), algorithm: .rsaSHA256)).base64EncodedString()
        request.headers.set(
            "Signature",
            #"keyId="\#(Self.keyId)",algorithm="hs2019",created=\#(created),expires=\#(created + 300),headers="\#(names.joined(separator: " "))",signature="\#(signature)""#)
        try verify(request)
        #expect(reason { try verify(request, now: Self.now.addingTimeInterval(301)) } == .stale)
    }

    // MARK: RFC 9421

    @Test(arguments: [SignatureAlgorithm.rsaSHA256, .rsaPSSSHA512])
    func rfc9421RoundTripsWithRSA(algorithm: SignatureAlgorithm) throws {
        var request = post()
        request.headers = try RequestSigner.signRFC9421(request, key: signingKey, algorithm: algorithm, now: Self.now)
        #expect(request.headers["Signature-Input"] == #"sig1=("@method" "@target-uri" "content-digest");created=1790000000;keyid="\#(Self.keyId)";alg="\#(algorithm.rawValue)""#)
        #expect(request.headers["Content-Digest"] == BodyDigest.contentDigestHeader(for: Self.body))
        let inspection = try SignatureVerifier().inspect(request, now: Self.now)
        #expect(inspection.format == .rfc9421)
        #expect(inspection.keyId == Self.keyId)
        try inspection.verify(with: publicKey)

        var get = get()
        get.headers = try RequestSigner.signRFC9421(get, key: signingKey, algorithm: algorithm, now: Self.now)
        try verify(get)
    }

    @Test func rfc9421WithEd25519() throws {
        let key = try SigningKey(keyId: "https://remote.example/users/bob#ed25519-key", privateKeyPEM: Curve25519Fixture.privatePEM)
        var request = post()
        request.headers = try RequestSigner.signRFC9421(request, key: key, now: Self.now)
        #expect(request.headers["Signature-Input"]?.contains(#"alg="ed25519""#) == true)
        try verify(request, key: try VerificationKey(pem: Ed25519DER.pem(publicKey: Curve25519Fixture.publicRaw)))
        #expect(reason { try verify(request) } == .invalidSignature)  // an RSA key does not verify it
    }

    @Test func rfc9421Rejections() throws {
        var signed = post()
        signed.headers = try RequestSigner.signRFC9421(signed, key: signingKey, now: Self.now)

        var tampered = signed
        tampered.body = Array("{}".utf8)
        #expect(reason { try verify(tampered) } == .digestMismatch)
        tampered.headers.set("Content-Digest", BodyDigest.contentDigestHeader(for: tampered.body))
        #expect(reason { try verify(tampered) } == .invalidSignature)

        var otherTarget = signed
        otherTarget.targetURI = "https://kith.example/inbox"
        #expect(reason { try verify(otherTarget) } == .invalidSignature)

        #expect(reason { try verify(signed, now: Self.now.addingTimeInterval(3601)) } == .stale)
        #expect(reason { try verify(signed, now: Self.now.addingTimeInterval(-3601)) } == .future)
        #expect(reason { try verify(signed, key: try VerificationKey(pem: Self.otherRSA.publicKeyPEM)) } == .invalidSignature)

        var noSignature = signed
        noSignature.headers = HeaderFields(signed.headers.fields.filter { $0.name != "Signature" })
        #expect(reason { try verify(noSignature) } == .missing)

        var noMethod = signed
        noMethod.headers.set("Signature-Input", #"sig1=("@target-uri" "content-digest");created=1790000000;keyid="k""#)
        #expect(reason { try verify(noMethod) } == .missingComponent)
        var noDigest = signed
        noDigest.headers.set("Signature-Input", #"sig1=("@method" "@target-uri");created=1790000000;keyid="k""#)
        #expect(reason { try verify(noDigest) } == .missingComponent)
        var noCreated = signed
        noCreated.headers.set("Signature-Input", #"sig1=("@method" "@target-uri" "content-digest");keyid="k""#)
        #expect(reason { try verify(noCreated) } == .missingComponent)
        var otherLabel = signed
        otherLabel.headers.set("Signature-Input", #"sig2=("@method" "@target-uri" "content-digest");created=1790000000;keyid="k""#)
        #expect(reason { try verify(otherLabel) } == .malformed)
        var badAlgorithm = signed
        badAlgorithm.headers.set("Signature-Input", signed.headers["Signature-Input"]!.replacingOccurrences(of: "rsa-v1_5-sha256", with: "hmac-sha256"))
        #expect(reason { try verify(badAlgorithm) } == .unsupportedAlgorithm)
        var notStructured = signed
        notStructured.headers.set("Signature-Input", "sig1=(((")
        #expect(reason { try verify(notStructured) } == .malformed)
    }

    // MARK: Digests and dates

    @Test func digestsCheckTheRawBody() throws {
        let body = Array("hello".utf8)
        try BodyDigest.verifyDigestHeader("SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", body: body)
        try BodyDigest.verifyDigestHeader("MD5=XUFAKrxLKna5cZ2REBfFkg==, SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", body: body)
        #expect(reason { try BodyDigest.verifyDigestHeader("MD5=XUFAKrxLKna5cZ2REBfFkg==", body: body) } == .missingDigest)
        #expect(reason { try BodyDigest.verifyDigestHeader("SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", body: Array("hello!".utf8)) } == .digestMismatch)
        try BodyDigest.verifyContentDigestHeader("sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:", body: body)
        #expect(reason { try BodyDigest.verifyContentDigestHeader("sha-256=LPJNul", body: body) } == .malformed)
    }

    @Test func httpDatesRoundTrip() {
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("Mon, 23 Nov 2026 08:16:37 GMT").map(HTTPDate.format) == "Mon, 23 Nov 2026 08:16:37 GMT")
        for seconds in stride(from: 0, to: 4_000_000_000, by: 86_399 * 97) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(HTTPDate.parse(HTTPDate.format(date)) == date)
        }
        #expect(HTTPDate.parse("yesterday") == nil)
        #expect(HTTPDate.parse("Sun, 32 Nov 1994 08:49:37 GMT") == nil)
    }
}

import Crypto

enum Curve25519Fixture {
    static let raw = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    static var publicRaw: [UInt8] { Array(try! Curve25519.Signing.PrivateKey(rawRepresentation: raw).publicKey.rawRepresentation) }
    static var privatePEM: String {
        let der = Ed25519DER.privatePrefix + raw
        return "-----BEGIN PRIVATE KEY-----\n\(Data(der).base64EncodedString())\n-----END PRIVATE KEY-----\n"
    }
}
