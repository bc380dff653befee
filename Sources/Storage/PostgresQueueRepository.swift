import Domain
import Foundation
import Logging
import PostgresNIO

/// The inbox queue, outgoing activities and their deliveries: claims, leases, retries.
public struct PostgresQueueRepository: ActivityQueueRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    // MARK: Inbox

    public func enqueueInbox(activityURI: String, type: String, actorURI: String, recipientAccountID: Int64?, payload: String) async throws -> Bool {
        let statement = Prepared.EnqueueInbox(
            activityURI: activityURI, type: type, actorURI: actorURI, recipientAccountID: recipientAccountID, payload: payload)
        return !(try await all(statement)).isEmpty
    }

    public func claimInbox(limit: Int, lease: Duration) async throws -> [InboxItem] {
        let rows = try await client.query(
            """
            UPDATE inbox_items SET attempts = attempts + 1, locked_until = now() + \(Self.interval(lease))::interval
            WHERE id IN (
                SELECT id FROM inbox_items
                WHERE state = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, activity_uri, activity_type, actor_uri, recipient_account_id, payload, attempts
            """, logger: logger)
        var items: [InboxItem] = []
        for try await (id, uri, type, actor, recipient, payload, attempts)
            in rows.decode((Int64, String, String, String, Int64?, String, Int).self)
        {
            items.append(InboxItem(id: id, activityURI: uri, activityType: type, actorURI: actor, recipientAccountID: recipient, payload: payload, attempts: attempts))
        }
        return items.sorted { $0.id < $1.id }
    }

    public func completeInbox(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await client.query(
            "UPDATE inbox_items SET state = 'done', processed_at = now(), locked_until = NULL, last_error = NULL WHERE id = ANY(\(ids))",
            logger: logger)
    }

    public func failInbox(id: Int64, error: String, retryAt: Date?) async throws {
        if let retryAt {
            try await client.query(
                "UPDATE inbox_items SET last_error = \(error), next_attempt_at = \(retryAt), locked_until = NULL WHERE id = \(id)",
                logger: logger)
        } else {
            try await client.query(
                """
                UPDATE inbox_items SET state = 'failed', last_error = \(error), processed_at = now(), locked_until = NULL
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    static func interval(_ duration: Duration) -> String {
        "\(max(1, duration.components.seconds)) seconds"
    }

    // MARK: Outbox

    static let activityColumns = """
        id, uri, account_id, type, object_uri, status_id, target_account_id, related_uri, related_actor_uri, to_uris, cc_uris, \
        payload, fanout_state, created_at, object_uris, content, extra_inboxes
        """

    func activities(_ rows: PostgresRowSequence) async throws -> [PublishedActivity] {
        var result: [PublishedActivity] = []
        for try await row in rows {
            let (id, uri, account, type, objectURI, statusID, targetID, relatedURI, relatedActor, to) =
                try row.decode((Int64, String, Int64, String, String?, Int64?, Int64?, String?, String?, [String]).self)
            let c = row.makeRandomAccess()
            var activity = OutgoingActivity(
                uri: uri, accountID: account, kind: OutgoingActivity.Kind(rawValue: type) ?? .create, objectURI: objectURI, statusID: statusID,
                targetAccountID: targetID, relatedURI: relatedURI, relatedActorURI: relatedActor, to: to, cc: try c[10].decode([String].self),
                deliver: try c[12].decode(String.self) != "none")
            activity.objectURIs = try c[14].decode([String].self)
            activity.content = try c[15].decode(String?.self)
            activity.extraInboxes = try c[16].decode([String].self)
            result.append(
                PublishedActivity(id: id, uri: uri, activity: activity, payload: try c[11].decode(String?.self), createdAt: try c[13].decode(Date.self)))
        }
        return result
    }

    public func publish(_ activity: OutgoingActivity) async throws -> PublishedActivity {
        let id = try await transaction { connection in try await record(activity, on: connection) }
        if let id, let stored = try await findActivity(id: id) { return stored }
        if let uri = activity.uri, let stored = try await findActivity(uri: uri) { return stored }
        throw KithError(.internalError, "the activity could not be recorded")
    }

    public func findActivity(uri: String) async throws -> PublishedActivity? {
        try await activities(try await client.query("SELECT \(unescaped: Self.activityColumns) FROM activities WHERE uri = \(uri)", logger: logger)).first
    }

    public func findActivity(id: Int64) async throws -> PublishedActivity? {
        try await activities(try await client.query("SELECT \(unescaped: Self.activityColumns) FROM activities WHERE id = \(id)", logger: logger)).first
    }

    public func fanOutNext(_ render: @Sendable (PublishedActivity) async throws -> (payload: String, inboxes: [String])) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.activityColumns) FROM activities WHERE fanout_state = 'pending'
                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                """, logger: logger)
            guard let activity = try await activities(rows).first else { return false }
            let (payload, inboxes) = try await render(activity)
            let distinct = Array(Set(inboxes))
            if !distinct.isEmpty {
                let hosts = distinct.map { inbox in
                    (URLComponents(string: inbox).flatMap { url in url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } } ?? "")
                        .lowercased()
                }
                // One statement for every inbox of the activity.
                try await connection.query(
                    """
                    INSERT INTO deliveries (activity_id, inbox_uri, host)
                    SELECT \(activity.id), inbox, host FROM unnest(\(distinct)::text[], \(hosts)::text[]) AS d(inbox, host)
                    ON CONFLICT (activity_id, inbox_uri) DO NOTHING
                    """, logger: logger)
            }
            try await connection.query(
                "UPDATE activities SET payload = \(payload), fanout_state = 'done' WHERE id = \(activity.id)", logger: logger)
            return true
        }
    }

    // MARK: Deliveries

    static let deliveryColumns = """
        d.id, d.activity_id, a.uri, d.inbox_uri, d.host, d.state, d.attempts, d.next_attempt_at, d.last_status, d.last_error, \
        a.account_id, coalesce(a.payload, ''), d.created_at, a.type = 'Flag'
        """

    func deliveries(_ rows: PostgresRowSequence) async throws -> [Delivery] {
        var result: [Delivery] = []
        for try await row in rows {
            let (id, activityID, activityURI, inbox, host, state, attempts, next, lastStatus, lastError) =
                try row.decode((Int64, Int64, String, String, String, String, Int, Date, Int?, String?).self)
            let c = row.makeRandomAccess()
            var delivery = Delivery(
                id: id, activityID: activityID, activityURI: activityURI, inboxURI: inbox, host: host,
                state: DeliveryState(rawValue: state) ?? .pending, attempts: attempts, nextAttemptAt: next, lastStatus: lastStatus,
                lastError: lastError, signerAccountID: try c[10].decode(Int64.self), payload: try c[11].decode(String.self),
                createdAt: try c[12].decode(Date.self))
            delivery.signedByApplication = try c[13].decode(Bool.self)
            result.append(delivery)
        }
        return result
    }

    public func releaseLeases(inbox: Bool) async throws -> Int {
        let rows =
            inbox
            ? try await client.query(
                "UPDATE inbox_items SET locked_until = NULL WHERE state = 'pending' AND locked_until IS NOT NULL RETURNING 1", logger: logger)
            : try await client.query(
                "UPDATE deliveries SET locked_until = NULL WHERE state = 'pending' AND locked_until IS NOT NULL RETURNING 1", logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    public func claimDeliveries(limit: Int, lease: Duration) async throws -> [Delivery] {
        let rows = try await client.query(
            """
            WITH claimed AS (
                UPDATE deliveries SET attempts = attempts + 1, locked_until = now() + \(Self.interval(lease))::interval
                WHERE id IN (
                    SELECT id FROM deliveries
                    WHERE state = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
                    ORDER BY next_attempt_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING *)
            SELECT \(unescaped: Self.deliveryColumns) FROM claimed d JOIN activities a ON a.id = d.activity_id ORDER BY d.id
            """, logger: logger)
        return try await deliveries(rows)
    }

    public func markDelivered(_ delivered: [(id: Int64, status: Int)]) async throws {
        guard !delivered.isEmpty else { return }
        try await client.query(
            """
            UPDATE deliveries SET state = 'delivered', last_status = d.status, last_error = NULL, locked_until = NULL, finished_at = now()
            FROM unnest(\(delivered.map(\.id))::bigint[], \(delivered.map { Int32($0.status) })::int[]) AS d(id, status)
            WHERE deliveries.id = d.id
            """, logger: logger)
    }

    public func scheduleRetry(id: Int64, at: Date, status: Int?, error: String) async throws {
        try await client.query(
            """
            UPDATE deliveries SET next_attempt_at = \(at), last_status = \(status), last_error = \(error), locked_until = NULL
            WHERE id = \(id)
            """, logger: logger)
    }

    public func markDead(id: Int64, status: Int?, error: String) async throws {
        try await client.query(
            """
            UPDATE deliveries SET state = 'dead', last_status = \(status), last_error = \(error), locked_until = NULL, finished_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    public func deliveries(state: DeliveryState?, limit: Int) async throws -> [Delivery] {
        try await deliveries(
            try await client.query(
                """
                SELECT \(unescaped: Self.deliveryColumns) FROM deliveries d JOIN activities a ON a.id = d.activity_id
                WHERE \(state?.rawValue)::text IS NULL OR d.state = \(state?.rawValue)
                ORDER BY d.id DESC LIMIT \(limit)
                """, logger: logger))
    }

    public func retryDelivery(id: Int64, audit: AuditRecord) async throws -> Delivery? {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                WITH before AS (SELECT id, state, attempts FROM deliveries WHERE id = \(id) AND state <> 'delivered' FOR UPDATE)
                UPDATE deliveries d SET state = 'pending', next_attempt_at = now(), locked_until = NULL, finished_at = NULL,
                    attempts = CASE WHEN before.state = 'dead' THEN 0 ELSE d.attempts END
                FROM before WHERE d.id = before.id
                RETURNING jsonb_build_object('state', before.state, 'attempts', before.attempts, 'inbox', d.inbox_uri)::text,
                    jsonb_build_object('state', d.state, 'inbox', d.inbox_uri)::text
                """, logger: logger)
            var found: (before: String, after: String)?
            for try await (before, after) in rows.decode((String, String).self) { found = (before, after) }
            guard let found else { return nil }
            var record = audit
            (record.before, record.after) = (found.before, found.after)
            try await self.record(record, on: connection)
            return try await deliveries(
                try await connection.query(
                    """
                    SELECT \(unescaped: Self.deliveryColumns) FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE d.id = \(id)
                    """, logger: logger)
            ).first
        }
    }
}
