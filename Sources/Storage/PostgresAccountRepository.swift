import ActivityStreams
import Domain
import Foundation
import Logging
import PostgresNIO

/// Accounts in PostgreSQL. Every value is a bound parameter (PostgresNIO's string
/// interpolation), never concatenated SQL.
public struct PostgresAccountRepository: AccountRepository {
    let client: PostgresClient
    let baseLogger: Logger
    /// The request's or job's logger when one is bound, so each query's log lines name what it was for.
    var logger: Logger { .current(or: baseLogger) }

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.baseLogger = logger
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

    /// One account from a row whose columns from `first` on are `columns`.
    static func decode(_ row: PostgresRow, from first: Int = 0) throws -> Account {
        let c = row.makeRandomAccess()
        var account = Account(
            id: try c[first].decode(Int64.self), username: try c[first + 1].decode(String.self), domain: try c[first + 2].decode(String?.self),
            displayName: try c[first + 3].decode(String.self), actorType: try c[first + 4].decode(String.self),
            uri: try c[first + 5].decode(String.self), url: try c[first + 6].decode(String?.self), inboxURI: try c[first + 7].decode(String.self),
            sharedInboxURI: try c[first + 8].decode(String?.self), publicKeyPEM: try c[first + 9].decode(String.self),
            role: Role(rawValue: try c[first + 10].decode(String.self)) ?? .user, email: try c[first + 11].decode(String?.self),
            createdAt: try c[first + 12].decode(Date.self))
        account.note = try c[first + 13].decode(String.self)
        account.locked = try c[first + 14].decode(Bool.self)
        account.discoverable = try c[first + 15].decode(Bool.self)
        account.avatarURL = try c[first + 16].decode(String?.self)
        account.publicKeyID = try c[first + 17].decode(String.self)
        account.outboxURI = try c[first + 18].decode(String?.self)
        account.followersURI = try c[first + 19].decode(String?.self)
        account.followingURI = try c[first + 20].decode(String?.self)
        account.featuredURI = try c[first + 21].decode(String?.self)
        account.fields = decodeFields(try c[first + 22].decode(String.self))
        account.suspended = try c[first + 23].decode(Bool.self)
        account.silenced = try c[first + 24].decode(Bool.self)
        account.disabled = try c[first + 25].decode(Bool.self)
        return account
    }

    /// `columns` with each one taken from the table aliased `alias` (for a query that joins
    /// accounts to tables with columns of the same names).
    static func columns(of alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: ", ")
    }

    /// Profile fields from their JSON column; malformed JSON reads as no fields.
    static func decodeFields(_ json: String) -> [ProfileField] {
        if json == "[]" { return [] }
        guard let parsed = try? JSONValue.parse(Array(json.utf8)) else { return [] }
        return parsed.listValue.compactMap { field in
            guard let name = field["name"]?.stringValue, let value = field["value"]?.stringValue else { return nil }
            return ProfileField(name: name, value: value, source: field["source"]?.stringValue)
        }
    }

    static func encodeFields(_ fields: [ProfileField]) -> String {
        let array = JSONValue.array(
            fields.map { field in
                var object: [String: JSONValue] = ["name": .string(field.name), "value": .string(field.value)]
                if let source = field.source { object["source"] = .string(source) }
                return .object(object)
            })
        return String(decoding: array.serialized(), as: UTF8.self)
    }
}
