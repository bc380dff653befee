import struct Foundation.Date

/// Storage of accounts. Implemented by Storage over PostgreSQL.
public protocol AccountRepository: Sendable {
    /// Inserts a local account; throws `KithError(.conflict)` when the username or email is taken.
    func createLocal(_ account: NewLocalAccount) async throws -> Account
    func findLocal(username: String) async throws -> Account?
    /// Local accounts, oldest first.
    func listLocal(limit: Int) async throws -> [Account]
    func countLocal() async throws -> Int
}
