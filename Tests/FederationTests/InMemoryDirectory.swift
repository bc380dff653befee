import ActivityStreams
import Domain
import Federation
import InMemoryRepositories
import Synchronization

/// Other nodes' documents for the handlers, served from memory: `documents` by id. An actor
/// not among `store`d accounts or documents is unavailable.
final class InMemoryDirectory: RemoteDirectory {
    let store: InMemoryFederation
    let documents: Mutex<[String: JSONValue]> = Mutex([:])
    let fetched = Mutex<[String]>([])

    init(store: InMemoryFederation) {
        self.store = store
    }

    func isLocal(_ uri: String) -> Bool { uri.hasPrefix(store.base + "/") }

    func actor(uri: String, refresh: Bool) async throws -> Account {
        if let account = try await store.account(uri: uri) { return account }
        throw KithError(.unavailable, "\(uri) did not answer")
    }

    func object(uri: String) async throws -> JSONValue {
        fetched.withLock { $0.append(uri) }
        guard let json = documents.withLock({ $0[uri] }) else { throw KithError(.unavailable, "\(uri) did not answer") }
        return json
    }

    func store(_ json: JSONValue, fetchedFrom url: String) async throws -> Account {
        guard let id = json["id"]?.stringValue, var account = try await store.account(uri: id) else { throw NotInMemoryError() }
        account.displayName = json["name"]?.stringValue ?? account.displayName
        store.state.withLock { $0.accounts[account.id] = account }
        return account
    }

    struct NotInMemoryError: Error {}
}
