import ActivityStreams
import Domain
import Federation
import Foundation
import Logging
import Storage

/// The store behind the `kith federation` commands.
public enum PostgresFederationStoreFactory {
    public static func make(database: DatabasePool, config: KithConfig, logger: Logger) -> PostgresFederationStore {
        PostgresFederationStore(client: database.client, logger: logger, baseURL: config.publicURL)
    }
}

/// What `kith federation` does beyond plain queries.
public enum FederationCLI {
    public static func changePolicy(
        config: KithConfig, logger: Logger, domain raw: String, _ change: @Sendable @escaping (PostgresFederationStore, String) async throws -> Void
    ) async throws {
        let domain = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard !domain.isEmpty, !domain.contains("/"), !domain.contains(" "), !domain.contains("@") else {
            throw KithError(.invalidInput, "'\(raw)' is not a domain (give the host, with :port when not the default)")
        }
        try await KithNode.withRunningDatabase(config: config, logger: logger) { database, _ in
            try await change(PostgresFederationStoreFactory.make(database: database, config: config, logger: logger), domain)
        }
    }

    /// Resolves an actor or a post and describes it.
    public static func resolve(_ reference: String, database: DatabasePool, config: KithConfig, logger: Logger) async throws -> String {
        let runtime = FederationRuntime(database: database, config: config, logger: logger)
        let result: Result<String, any Error>
        do {
            result = .success(try await describe(reference, runtime: runtime))
        } catch {
            result = .failure(error)
        }
        try await runtime.http.shutdown()
        return try result.get()
    }

    static func describe(_ reference: String, runtime: FederationRuntime) async throws -> String {
        let isURL = reference.hasPrefix("https://") || reference.hasPrefix("http://")
        if isURL, !runtime.resolver.isLocal(reference) {
            let (json, _) = try await runtime.resolver.fetchDocument(reference)
            if ASObject.types(of: json).contains(where: ASActor.actorTypes.contains) {
                return describe(try await runtime.resolver.actor(uri: reference, refresh: true))
            }
            let post = try ASPost(json)
            return """
                type: \(post.type)
                id: \(post.id)
                author: \(post.attributedTo)
                published: \(post.published.map(ASDate.format) ?? "-")
                in reply to: \(post.inReplyTo ?? "-")
                to: \(post.to.joined(separator: " "))
                cc: \(post.cc.joined(separator: " "))
                content: \(post.content)
                """
        }
        return describe(try await runtime.resolver.resolve(reference))
    }

    static func describe(_ account: Account) -> String {
        """
        acct: \(account.acct)
        id: \(account.uri)
        type: \(account.actorType)
        name: \(account.displayName)
        inbox: \(account.inboxURI)
        shared inbox: \(account.sharedInboxURI ?? "-")
        key: \(account.publicKeyID)
        locked: \(account.locked)
        """
    }
}
