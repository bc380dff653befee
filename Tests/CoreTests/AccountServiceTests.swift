import Core
import Domain
import Foundation
import Testing

/// An in-memory repository is fine here: these tests are about validation before storage; the
/// PostgreSQL repository has its own tests against a real database.
actor MemoryAccounts: AccountRepository {
    var rows: [Account] = []

    func createLocal(_ account: NewLocalAccount) async throws -> Account {
        if rows.contains(where: { $0.username.lowercased() == account.username.value.lowercased() }) {
            throw KithError(.conflict, "taken")
        }
        let row = Account(
            id: Int64(rows.count + 1), username: account.username.value, domain: nil, displayName: "", uri: account.actorURI,
            url: account.profileURL, inboxURI: account.inboxURI, sharedInboxURI: account.sharedInboxURI,
            publicKeyPEM: account.publicKeyPEM, role: account.role, email: account.email, createdAt: Date())
        rows.append(row)
        return row
    }
    func findLocal(username: String) async throws -> Account? { rows.first { $0.username.lowercased() == username.lowercased() } }
    func listLocal(limit: Int) async throws -> [Account] { Array(rows.prefix(limit)) }
    func countLocal() async throws -> Int { rows.count }
}

struct ReversingHasher: PasswordHasher {
    func hash(_ password: String) async throws -> String { "h:" + String(password.reversed()) }
    func verify(_ password: String, hash: String) async throws -> Bool { hash == "h:" + String(password.reversed()) }
}

struct FixedKeys: ActorKeyGenerator {
    func makeKeyPair() async throws -> (publicKeyPEM: String, privateKeyPEM: String) { ("PUB", "PRIV") }
}

struct CountingPasswords: PasswordGenerator {
    func makePassword() -> String { "generated-password-1" }
}

@Suite struct AccountServiceTests {
    let repo = MemoryAccounts()
    var service: AccountService {
        AccountService(accounts: repo, hasher: ReversingHasher(), keys: FixedKeys(), passwords: CountingPasswords(), baseURL: "https://kith.example/")
    }

    @Test func createsWithGeneratedPasswordAndDerivedURIs() async throws {
        let created = try await service.createLocal(username: "alice", email: " Alice@Example.com ", role: .admin, password: nil)
        #expect(created.generatedPassword == "generated-password-1")
        #expect(created.account.uri == "https://kith.example/users/alice")
        #expect(created.account.inboxURI == "https://kith.example/users/alice/inbox")
        #expect(created.account.email == "alice@example.com")
        #expect(created.account.role == .admin)
    }

    @Test func givenPasswordIsNotEchoed() async throws {
        let created = try await service.createLocal(username: "bob", email: "bob@example.com", role: .user, password: "long enough")
        #expect(created.generatedPassword == nil)
    }

    @Test func rejectsBadInputBeforeStoring() async throws {
        await #expect(throws: KithError.self) { try await service.createLocal(username: "no way", email: "a@b.co", role: .user, password: nil) }
        await #expect(throws: KithError.self) { try await service.createLocal(username: "carol", email: "not-an-email", role: .user, password: nil) }
        await #expect(throws: KithError.self) { try await service.createLocal(username: "carol", email: "c@x.co", role: .user, password: "short") }
        #expect(try await repo.countLocal() == 0)
    }

    @Test func duplicateUsernameIsAConflict() async throws {
        _ = try await service.createLocal(username: "dave", email: "dave@example.com", role: .user, password: nil)
        do {
            _ = try await service.createLocal(username: "DAVE", email: "dave2@example.com", role: .user, password: nil)
            Issue.record("duplicate accepted")
        } catch let error as KithError {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("already taken"))
        }
    }
}
