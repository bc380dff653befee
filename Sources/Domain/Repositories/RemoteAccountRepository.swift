import struct Foundation.Date

/// What the node knows about remote actors.
public protocol RemoteAccountRepository: Sendable {
    func account(id: Int64) async throws -> Account?
    /// The accounts with these ids that exist, in no particular order (one query for a page).
    func accounts(ids: [Int64]) async throws -> [Account]
    func account(uri: String) async throws -> Account?
    func accounts(uris: [String]) async throws -> [Account]
    func account(publicKeyID: String) async throws -> Account?
    func remoteAccount(username: String, domain: String) async throws -> Account?
    /// When the remote actor's document was last fetched (nil: never, or local).
    func fetchedAt(uri: String) async throws -> Date?
    /// Inserts or refreshes a remote actor (keyed by its id).
    func upsertRemote(_ actor: RemoteActor) async throws -> Account
    /// Removes a remote actor and everything of theirs (Delete of an actor).
    func deleteRemote(uri: String) async throws
    /// The private key of a local account, for signing its deliveries.
    func privateKeyPEM(accountID: Int64) async throws -> String?
    /// Changes a local profile and records the Update to deliver, in one transaction.
    func updateLocalProfile(accountID: Int64, _ change: ProfileChange, publish: OutgoingActivity) async throws -> Account
}
