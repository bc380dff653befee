import Domain
import Foundation
import KithTestSupport
import Storage
import Testing

@Suite struct AccountRepositoryTests {
    func newAccount(_ name: String, email: String? = nil) throws -> NewLocalAccount {
        NewLocalAccount(
            username: try Username(name), email: email ?? "\(name.lowercased())@example.com", role: .user, passwordHash: "$2b$12$hash",
            publicKeyPEM: "-----BEGIN PUBLIC KEY-----", privateKeyPEM: "-----BEGIN PRIVATE KEY-----", baseURL: "https://kith.example")
    }

    @Test func createFindListAndConflicts() async throws {
        try await TestDatabase.with("accounts") { testDB in
            try await testDB.withDatabase { db in
                try await MigrationRunner(client: db.client, directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger).migrate()
                let repo = PostgresAccountRepository(client: db.client, logger: TestDatabase.logger)
                let alice = try await repo.createLocal(try newAccount("Alice"))
                #expect(alice.username == "Alice")
                #expect(alice.uri == "https://kith.example/users/Alice")
                #expect(alice.domain == nil)
                #expect(alice.role == .user)
                #expect(abs(alice.createdAt.timeIntervalSinceNow) < 60)

                let found = try await repo.findLocal(username: "alice")
                #expect(found == alice)
                #expect(try await repo.findLocal(username: "nobody") == nil)

                // Same name in another case, or same email: refused by the database itself.
                await #expect(throws: KithError.self) { try await repo.createLocal(try newAccount("ALICE", email: "other@example.com")) }
                await #expect(throws: KithError.self) { try await repo.createLocal(try newAccount("bob", email: "alice@example.com")) }

                let bob = try await repo.createLocal(try newAccount("bob"))
                #expect(bob.id > alice.id)
                #expect(try await repo.listLocal(limit: 10).map(\.username) == ["Alice", "bob"])
                #expect(try await repo.countLocal() == 2)
            }
        }
    }

    @Test func hostileInputIsStoredAsData() async throws {
        try await TestDatabase.with("accounts_sql") { testDB in
            try await testDB.withDatabase { db in
                try await MigrationRunner(client: db.client, directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger).migrate()
                let repo = PostgresAccountRepository(client: db.client, logger: TestDatabase.logger)
                var account = try newAccount("mallory")
                account.email = "x'); DROP TABLE accounts; --@example.com"
                let stored = try await repo.createLocal(account)
                #expect(stored.email == account.email)
                #expect(try await repo.countLocal() == 1)
                #expect(try await repo.findLocal(username: "' OR '1'='1") == nil)
            }
        }
    }
}
