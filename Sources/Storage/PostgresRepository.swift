import Domain
import Foundation
import Logging
import PostgresNIO

/// What every repository over the node's PostgreSQL shares: the client, the logger and the
/// node's base URL (to mint activity ids, `<base>/activities/<id>`).
public struct PostgresBase: Sendable {
    let client: PostgresClient
    let baseLogger: Logger
    let baseURL: String

    public init(client: PostgresClient, logger: Logger, baseURL: String) {
        self.client = client
        self.baseLogger = logger
        self.baseURL = baseURL
    }
}

/// A repository over the node's PostgreSQL. Every value is a bound parameter. Writes that must
/// happen together (an effect and the activity announcing it) share a transaction, whichever
/// repository's table they touch.
protocol PostgresRepository: Sendable {
    var base: PostgresBase { get }
}

extension PostgresRepository {
    var client: PostgresClient { base.client }
    /// The request's or job's logger when one is bound, so each query's log lines name what it was for.
    var logger: Logger { .current(or: base.baseLogger) }
    var baseURL: String { base.baseURL }

    /// A fresh time-sortable id, for callers that need an object's id before inserting it.
    func newID() async throws -> Int64 {
        let rows = try await client.query("SELECT kith_next_id()", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw KithError(.internalError, "kith_next_id() returned nothing")
    }

    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.rollbackError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Runs a prepared statement and collects its rows.
    func all<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await client.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }

    /// Inserts the activity row for `activity` (nothing when nil) on `connection`.
    @discardableResult
    func record(_ activity: OutgoingActivity?, on connection: PostgresConnection) async throws -> Int64? {
        guard let activity else { return nil }
        let state = activity.deliver ? "pending" : "none"
        let rows = try await connection.query(
            """
            WITH new AS (SELECT kith_next_id() AS id)
            INSERT INTO activities (id, uri, account_id, type, object_uri, status_id, target_account_id, related_uri,
                related_actor_uri, to_uris, cc_uris, fanout_state, object_uris, content, extra_inboxes, payload)
            SELECT new.id, coalesce(\(activity.uri), \(baseURL + "/activities/") || new.id), \(activity.accountID),
                \(activity.kind.rawValue), \(activity.objectURI), \(activity.statusID), \(activity.targetAccountID),
                \(activity.relatedURI), \(activity.relatedActorURI), \(activity.to), \(activity.cc), \(state), \(activity.objectURIs),
                \(activity.content), \(activity.extraInboxes), \(activity.forwardedPayload)
            FROM new
            ON CONFLICT (uri) DO NOTHING
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    func accounts(_ query: PostgresQuery) async throws -> [Account] {
        try await PostgresAccountRepository.decode(try await client.query(query, logger: logger))
    }

    func statuses(_ rows: PostgresRowSequence) async throws -> [Status] {
        var result: [Status] = []
        for try await row in rows { result.append(try PostgresStatusRepository.decodeStatus(row)) }
        return result
    }

    /// Appends `audit` to the audit log on `connection` (inside the action's transaction).
    func record(_ audit: AuditRecord, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (actor_account_id, actor_label, action, target_type, target_id, address, before, after)
            VALUES (\(audit.actor.accountID), \(audit.actor.label), \(audit.action), \(audit.targetType), \(audit.targetID),
                \(audit.actor.address), \(audit.before)::jsonb, \(audit.after)::jsonb)
            """, logger: logger)
    }

    func domains(_ query: PostgresQuery) async throws -> [String] {
        var result: [String] = []
        for try await domain in try await client.query(query, logger: logger).decode(String.self) { result.append(domain) }
        return result
    }
}
