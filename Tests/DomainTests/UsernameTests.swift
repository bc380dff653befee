import Domain
import Testing

@Suite struct UsernameTests {
    @Test(arguments: ["alice", "Bob_2", "_", "a", String(repeating: "x", count: 30), "0123456789"])
    func acceptsMastodonUsernames(_ raw: String) throws {
        #expect(try Username(raw).value == raw)
    }

    @Test(arguments: ["", "al ice", "alice.b", "alice-b", "élodie", "a@b", String(repeating: "x", count: 31), "bob\n"])
    func rejectsOthers(_ raw: String) {
        #expect(throws: KithError.self) { try Username(raw) }
    }

    @Test func errorsExplainTheRule() {
        do {
            _ = try Username("bad-name")
            Issue.record("accepted bad-name")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("letters, digits and underscore"))
        }
        do {
            _ = try Username(String(repeating: "a", count: 31))
            Issue.record("accepted a 31-character name")
        } catch {
            #expect(error.message.contains("longer than 30"))
        }
    }

    @Test func remoteAcctIncludesDomain() {
        let date = Date(timeIntervalSince1970: 0)
        var account = Account(
            id: 1, username: "alice", domain: nil, displayName: "", uri: "https://a.example/users/alice", url: nil,
            inboxURI: "https://a.example/users/alice/inbox", sharedInboxURI: nil, publicKeyPEM: "", role: .user, email: nil,
            createdAt: date)
        #expect(account.acct == "alice")
        #expect(account.isLocal)
        account.domain = "b.example"
        #expect(account.acct == "alice@b.example")
        #expect(!account.isLocal)
    }
}

import struct Foundation.Date
