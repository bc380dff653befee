import Domain
import Foundation
import Logging
import PostgresNIO

/// Accounts as federation knows them: remote actors fetched and stored, and any account by id, URI or key.
public struct PostgresRemoteAccountRepository: RemoteAccountRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    static let accountColumns = PostgresAccountRepository.columns
    /// The same columns qualified with `a.`, for joins.
    static let joinedAccountColumns = accountColumns.split(separator: ",")
        .map { "a." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    public func account(id: Int64) async throws -> Account? {
        try await all(Prepared.AccountsByID(ids: [id])).first
    }

    public func accounts(ids: [Int64]) async throws -> [Account] {
        guard !ids.isEmpty else { return [] }
        return try await all(Prepared.AccountsByID(ids: Array(Set(ids))))
    }

    public func accounts(uris: [String]) async throws -> [Account] {
        guard !uris.isEmpty else { return [] }
        return try await accounts("SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE uri = ANY(\(Array(Set(uris))))")
    }

    public func account(uri: String) async throws -> Account? {
        try await all(Prepared.AccountByURI(uri: uri)).first
    }

    public func account(publicKeyID: String) async throws -> Account? {
        try await all(Prepared.AccountByKeyID(keyID: publicKeyID)).first
    }

    public func remoteAccount(username: String, domain: String) async throws -> Account? {
        try await accounts(
            "SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE lower(username) = lower(\(username)) AND lower(domain) = lower(\(domain))"
        ).first
    }

    public func fetchedAt(uri: String) async throws -> Date? {
        let rows = try await client.query("SELECT fetched_at FROM accounts WHERE uri = \(uri)", logger: logger)
        for try await date in rows.decode(Date?.self) { return date }
        return nil
    }

    public func upsertRemote(_ actor: RemoteActor) async throws -> Account {
        do {
            try await writeRemote(actor)
        } catch let error where PostgresErrorText.isUniqueViolation(error) {
            // Two deliveries from an actor seen for the first time, side by side: the other
            // insert won on the username index, which ON CONFLICT (uri) does not arbitrate.
            // Now the row exists and the update path applies.
            try await writeRemote(actor)
        }
        guard let account = try await account(uri: actor.uri), account.domain != nil else {
            throw KithError(.conflict, "\(actor.uri) is a local account and cannot be replaced by a remote document")
        }
        return account
    }

    func writeRemote(_ actor: RemoteActor) async throws {
        // A username reused by a new actor id on the same domain (an account recreated):
        // the old row gives way, as Mastodon does.
        try await transaction { connection in
            try await connection.query(
                """
                DELETE FROM accounts WHERE domain IS NOT NULL AND lower(username) = lower(\(actor.username))
                    AND lower(domain) = lower(\(actor.domain)) AND uri <> \(actor.uri)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO accounts (username, domain, display_name, note, actor_type, uri, url, inbox_uri, shared_inbox_uri,
                    outbox_uri, followers_uri, following_uri, featured_uri, public_key_id, public_key_pem, locked, discoverable,
                    avatar_url, fields, assertion_key_id, assertion_key, fetched_at)
                VALUES (\(actor.username), \(actor.domain), \(actor.displayName), \(actor.note), \(actor.actorType), \(actor.uri),
                    \(actor.url), \(actor.inboxURI), \(actor.sharedInboxURI), \(actor.outboxURI), \(actor.followersURI),
                    \(actor.followingURI), \(actor.featuredURI), \(actor.publicKeyID), \(actor.publicKeyPEM), \(actor.locked),
                    \(actor.discoverable), \(actor.avatarURL), \(PostgresAccountRepository.encodeFields(actor.fields))::jsonb,
                    \(actor.assertionKey?.id), \(actor.assertionKey?.multibase), now())
                ON CONFLICT (uri) DO UPDATE SET username = excluded.username, display_name = excluded.display_name,
                    note = excluded.note, actor_type = excluded.actor_type, url = excluded.url, inbox_uri = excluded.inbox_uri,
                    shared_inbox_uri = excluded.shared_inbox_uri, outbox_uri = excluded.outbox_uri,
                    followers_uri = excluded.followers_uri, following_uri = excluded.following_uri,
                    featured_uri = excluded.featured_uri, public_key_id = excluded.public_key_id,
                    public_key_pem = excluded.public_key_pem, locked = excluded.locked, discoverable = excluded.discoverable,
                    avatar_url = excluded.avatar_url, fields = excluded.fields, assertion_key_id = excluded.assertion_key_id,
                    assertion_key = excluded.assertion_key, fetched_at = now(), updated_at = now()
                WHERE accounts.domain IS NOT NULL
                """, logger: logger)
        }
    }

    public func deleteRemote(uri: String) async throws {
        try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO tombstones (uri) SELECT s.uri FROM statuses s JOIN accounts a ON a.id = s.account_id
                WHERE a.uri = \(uri) AND a.domain IS NOT NULL ON CONFLICT DO NOTHING
                """, logger: logger)
            try await connection.query("DELETE FROM accounts WHERE uri = \(uri) AND domain IS NOT NULL", logger: logger)
        }
    }

    public func privateKeyPEM(accountID: Int64) async throws -> String? {
        let rows = try await client.query("SELECT private_key_pem FROM accounts WHERE id = \(accountID)", logger: logger)
        for try await pem in rows.decode(String?.self) { return pem }
        return nil
    }

    public func updateLocalProfile(accountID: Int64, _ change: ProfileChange, publish: OutgoingActivity) async throws -> Account {
        let fields = change.fields.map(PostgresAccountRepository.encodeFields)
        return try await transaction { connection in
            try await connection.query(
                """
                UPDATE accounts SET display_name = coalesce(\(change.displayName), display_name), note = coalesce(\(change.note), note),
                    locked = coalesce(\(change.locked), locked), discoverable = coalesce(\(change.discoverable), discoverable),
                    fields = coalesce(\(fields)::jsonb, fields), updated_at = now()
                WHERE id = \(accountID) AND domain IS NULL
                """, logger: logger)
            try await record(publish, on: connection)
            let rows = try await connection.query("SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE id = \(accountID)", logger: logger)
            guard let account = try await PostgresAccountRepository.decode(rows).first else { throw KithError(.notFound, "no account \(accountID)") }
            return account
        }
    }
}

