import Domain
import Foundation
import Logging
import PostgresNIO

/// The audit log: who changed what, from where, before and after.
public struct PostgresAuditRepository: AuditRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    public func auditEntries(_ filter: AuditFilter, page: PageRequest) async throws -> [AuditEntry] {
        let ascending = page.minID != nil && page.sinceID == nil
        let rows = try await client.query(
            """
            SELECT id, actor_account_id, actor_label, action, target_type, target_id, address, before::text, after::text, created_at
            FROM audit_log
            WHERE (\(filter.actorAccountID)::bigint IS NULL OR actor_account_id = \(filter.actorAccountID))
              AND (\(filter.actorLabel)::text IS NULL OR actor_label = \(filter.actorLabel))
              AND (\(filter.action)::text IS NULL OR action = \(filter.action) OR action LIKE \(filter.action.map { PostgresTimelineRepository.likePattern($0) + ".%" }))
              AND (\(filter.since)::timestamptz IS NULL OR created_at >= \(filter.since))
              AND (\(filter.until)::timestamptz IS NULL OR created_at < \(filter.until))
              AND id < \(page.maxID ?? Int64.max) AND id > \(page.sinceID ?? page.minID ?? 0)
            ORDER BY CASE WHEN \(ascending) THEN id END ASC, id DESC
            LIMIT \(max(1, min(page.limit, 200)))
            """, logger: logger)
        var result: [AuditEntry] = []
        for try await row in rows {
            let (id, accountID, label, action, targetType, targetID, address, before, after, created) = try row.decode(
                (Int64, Int64?, String, String, String, String, String?, String?, String?, Date).self)
            result.append(
                AuditEntry(
                    id: id,
                    record: AuditRecord(
                        actor: AuditActor(accountID: accountID, label: label, address: address), action: action, targetType: targetType,
                        targetID: targetID, before: before, after: after),
                    createdAt: created))
        }
        return ascending ? result.reversed() : result
    }
}
