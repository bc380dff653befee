import ActivityStreams
import Core
import Domain
import Federation
import Foundation
import Logging
import Storage

/// What `kith federation` and `kith audit` do: through the same Core services as the admin
/// API, so every change made at the command line is audited as made by `cli:<system user>`.
public enum FederationCLI {
    /// Runs `body` with the federation's admin service on the configured database, as the
    /// person at the command line.
    public static func admin<T: Sendable>(
        config: KithConfig, logger: Logger, _ body: @Sendable @escaping (AdminService, AuditActor) async throws -> T
    ) async throws -> T {
        try await KithNode.withRunningDatabase(config: config, logger: logger) { database, _ in
            let store = PostgresFederationStore(client: database.client, logger: logger, baseURL: config.publicURL)
            return try await body(AdminService(policy: store.domainPolicy, queue: store.queue, audit: store.audit, changed: {}), commandLineActor)
        }
    }

    /// The person at the command line, as the audit log names them: `cli:<system user>`.
    public static var commandLineActor: AuditActor {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        return AuditActor(accountID: nil, label: "cli:\(user)", address: nil)
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
