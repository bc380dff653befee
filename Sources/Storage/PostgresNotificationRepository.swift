import Domain
import Foundation
import Logging
import PostgresNIO

/// A reader's notifications (written with the action that causes them, by `NotificationSQL`).
public struct PostgresNotificationRepository: NotificationRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    func notificationRows(_ query: PostgresQuery) async throws -> [Domain.Notification] {
        var result: [Domain.Notification] = []
        for try await (id, type, from, status, created) in try await client.query(query, logger: logger)
            .decode((Int64, String, Int64, Int64?, Date).self)
        {
            // A type this version does not know (written by a newer one) is not shown.
            guard let type = NotificationType(rawValue: type) else { continue }
            result.append(Domain.Notification(id: id, type: type, fromAccountID: from, statusID: status, createdAt: created))
        }
        return result
    }

    public func notifications(accountID: Int64, types: [String], excludeTypes: [String], page: PageRequest) async throws -> [Domain.Notification] {
        let ascending = page.minID != nil && page.sinceID == nil
        let limit = max(1, min(page.limit, 80))
        let rows = try await notificationRows(
            """
            SELECT id, type, from_account_id, status_id, created_at FROM notifications
            WHERE account_id = \(accountID)
              AND (cardinality(\(types)::text[]) = 0 OR type = ANY(\(types)))
              AND NOT (type = ANY(\(excludeTypes)))
              AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = \(accountID) AND m.target_account_id = from_account_id
                  AND m.hide_notifications AND (m.expires_at IS NULL OR m.expires_at > now()))
              AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = \(accountID) AND b.target_account_id = from_account_id)
              AND id < \(page.maxID ?? Int64.max) AND id > \(page.sinceID ?? page.minID ?? 0)
            ORDER BY CASE WHEN \(ascending) THEN id END ASC, id DESC
            LIMIT \(limit)
            """)
        return ascending ? rows.reversed() : rows
    }

    public func notification(id: Int64, accountID: Int64) async throws -> Domain.Notification? {
        try await notificationRows(
            "SELECT id, type, from_account_id, status_id, created_at FROM notifications WHERE id = \(id) AND account_id = \(accountID)"
        ).first
    }

    public func clearNotifications(accountID: Int64) async throws {
        try await client.query("DELETE FROM notifications WHERE account_id = \(accountID)", logger: logger)
    }

    public func dismissNotification(id: Int64, accountID: Int64) async throws -> Bool {
        let rows = try await client.query(
            "DELETE FROM notifications WHERE id = \(id) AND account_id = \(accountID) RETURNING id", logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
