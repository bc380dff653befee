import Domain
import Foundation
import Logging
import PostgresNIO

/// Accounts in PostgreSQL. Every value is a bound parameter (PostgresNIO's string
/// interpolation), never concatenated SQL.
public struct PostgresAccountRepository: AccountRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns = """
        id, username, domain, display_name, actor_type, uri, url, inbox_uri, shared_inbox_uri, \
        public_key_pem, role, email, created_at, note, locked, discoverable, avatar_url, public_key_id, \
        outbox_uri, followers_uri, following_uri, featured_uri, fields::text, suspended_at IS NOT NULL, silenced_at IS NOT NULL, \
        disabled_at IS NOT NULL
        """
    /// How many columns `columns` names (a query's extra columns come after them).
    static let columnCount = columns.split(separator: ",").count

    public func createLocal(_ new: NewLocalAccount) async throws -> Account {
        let keyID = new.actorURI + "#main-key"
        do {
            let rows = try await client.query(
                """
                INSERT INTO accounts (username, domain, uri, url, inbox_uri, shared_inbox_uri, outbox_uri,
                    followers_uri, following_uri, featured_uri, public_key_id, public_key_pem, private_key_pem,
                    email, password_hash, role)
                VALUES (\(new.username.value), NULL, \(new.actorURI), \(new.profileURL), \(new.inboxURI),
                    \(new.sharedInboxURI), \(new.actorURI + "/outbox"), \(new.actorURI + "/followers"),
                    \(new.actorURI + "/following"), \(new.actorURI + "/collections/featured"), \(keyID), \(new.publicKeyPEM), \(new.privateKeyPEM),
                    \(new.email), \(new.passwordHash), \(new.role.rawValue))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let account = try await Self.decode(rows).first else {
                throw KithError(.internalError, "insert returned no row")
            }
            return account
        } catch let error where PostgresErrorText.isUniqueViolation(error) {
            throw KithError(.conflict, "username '\(new.username.value)' or email '\(new.email)' is already taken")
        }
    }

    public func findLocal(username: String) async throws -> Account? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM accounts WHERE domain IS NULL AND lower(username) = lower(\(username))",
            logger: logger)
        return try await Self.decode(rows).first
    }

    public func listLocal(limit: Int) async throws -> [Account] {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM accounts WHERE domain IS NULL ORDER BY id LIMIT \(limit)",
            logger: logger)
        return try await Self.decode(rows)
    }

    public func countLocal() async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM accounts WHERE domain IS NULL", logger: logger)
        return try await rows.collect().first?.decode(Int.self) ?? 0
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Account] {
        var result: [Account] = []
        for try await row in rows { result.append(try decode(row)) }
        return result
    }

    /// One account from a row whose first columns are `columns`.
    static func decode(_ row: PostgresRow) throws -> Account {
        let (id, username, domain, displayName, actorType, uri, url, inbox, sharedInbox, key, role, email, createdAt) =
            try row.decode((Int64, String, String?, String, String, String, String?, String, String?, String, String, String?, Date).self)
        var account = Account(
            id: id, username: username, domain: domain, displayName: displayName, actorType: actorType, uri: uri,
            url: url, inboxURI: inbox, sharedInboxURI: sharedInbox, publicKeyPEM: key,
            role: Role(rawValue: role) ?? .user, email: email, createdAt: createdAt)
        let columns = row.makeRandomAccess()
        account.note = try columns[13].decode(String.self)
        account.locked = try columns[14].decode(Bool.self)
        account.discoverable = try columns[15].decode(Bool.self)
        account.avatarURL = try columns[16].decode(String?.self)
        account.publicKeyID = try columns[17].decode(String.self)
        account.outboxURI = try columns[18].decode(String?.self)
        account.followersURI = try columns[19].decode(String?.self)
        account.followingURI = try columns[20].decode(String?.self)
        account.featuredURI = try columns[21].decode(String?.self)
        account.fields = decodeFields(try columns[22].decode(String.self))
        account.suspended = try columns[23].decode(Bool.self)
        account.silenced = try columns[24].decode(Bool.self)
        account.disabled = try columns[25].decode(Bool.self)
        return account
    }

    /// Profile fields from their JSON column; malformed JSON reads as no fields.
    static func decodeFields(_ json: String) -> [ProfileField] {
        if json == "[]" { return [] }
        return (try? JSONDecoder().decode([ProfileField].self, from: Data(json.utf8))) ?? []
    }

    static func encodeFields(_ fields: [ProfileField]) -> String {
        (try? JSONEncoder().encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
