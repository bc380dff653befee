import Domain
import PostgresNIO

/// Each local account's Ed25519 assertion key (FEP-521a), made at first use.
public struct PostgresAssertionKeyRepository: AssertionKeyRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    public func assertionKey(accountID: Int64) async throws -> AssertionKey? {
        let rows = try await client.query(
            "SELECT assertion_key_id, assertion_key FROM accounts WHERE id = \(accountID)", logger: logger)
        for try await (id, key) in rows.decode((String?, String?).self) {
            guard let id, let key else { return nil }
            return AssertionKey(id: id, multibase: key)
        }
        return nil
    }

    public func localAssertionKey(
        accountID: Int64, made: (key: AssertionKey, privateKey: String)
    ) async throws -> (key: AssertionKey, privateKey: String) {
        // Stored unless a key is there already; either way the stored pair is read back.
        let rows = try await client.query(
            """
            WITH made AS (
                UPDATE accounts SET assertion_key_id = \(made.key.id), assertion_key = \(made.key.multibase),
                    assertion_private_key = \(made.privateKey)
                WHERE id = \(accountID) AND domain IS NULL AND assertion_private_key IS NULL
                RETURNING assertion_key_id, assertion_key, assertion_private_key)
            SELECT assertion_key_id, assertion_key, assertion_private_key FROM made
            UNION ALL
            SELECT assertion_key_id, assertion_key, assertion_private_key FROM accounts
            WHERE id = \(accountID) AND domain IS NULL AND assertion_private_key IS NOT NULL
            """, logger: logger)
        for try await (id, key, privateKey) in rows.decode((String, String, String).self) {
            return (AssertionKey(id: id, multibase: key), privateKey)
        }
        throw KithError(.notFound, "no local account \(accountID)")
    }
}
