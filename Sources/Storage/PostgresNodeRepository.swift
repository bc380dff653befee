import Domain
import Foundation
import Logging
import PostgresNIO

/// The node's own key pairs and usage counts, in PostgreSQL.
public struct PostgresNodeRepository: NodeKeyRepository, NodeStatistics {
    let client: PostgresClient
    let baseLogger: Logger
    /// The request's or job's logger when one is bound, so each query's log lines name what it was for.
    var logger: Logger { .current(or: baseLogger) }

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.baseLogger = logger
    }

    public func keyPair(named name: String, orCreate make: @Sendable () async throws -> NodeKeyPair) async throws -> NodeKeyPair {
        if let existing = try await find(name) { return existing }
        let made = try await make()
        // ON CONFLICT: another process may have stored its pair meanwhile; the first one wins
        // and everyone reads it back.
        try await client.query(
            """
            INSERT INTO node_keys (name, public_key_pem, private_key_pem)
            VALUES (\(name), \(made.publicKeyPEM), \(made.privateKeyPEM)) ON CONFLICT (name) DO NOTHING
            """, logger: logger)
        guard let stored = try await find(name) else { throw KithError(.internalError, "node key \(name) vanished after insert") }
        return stored
    }

    func find(_ name: String) async throws -> NodeKeyPair? {
        let rows = try await client.query("SELECT public_key_pem, private_key_pem FROM node_keys WHERE name = \(name)", logger: logger)
        for try await (publicKey, privateKey) in rows.decode((String, String).self) {
            return NodeKeyPair(publicKeyPEM: publicKey, privateKeyPEM: privateKey)
        }
        return nil
    }

    public func usage() async throws -> NodeUsage {
        let rows = try await client.query(
            """
            SELECT
                (SELECT count(*) FROM accounts WHERE domain IS NULL),
                (SELECT count(DISTINCT account_id) FROM statuses WHERE local AND published_at > now() - interval '30 days'),
                (SELECT count(DISTINCT account_id) FROM statuses WHERE local AND published_at > now() - interval '180 days'),
                (SELECT count(*) FROM statuses WHERE local AND reblog_of_id IS NULL)
            """, logger: logger)
        for try await (users, month, halfyear, posts) in rows.decode((Int, Int, Int, Int).self) {
            return NodeUsage(users: users, activeMonth: month, activeHalfyear: halfyear, localPosts: posts)
        }
        throw KithError(.internalError, "usage query returned no row")
    }
}
