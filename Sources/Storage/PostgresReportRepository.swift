import Domain
import Foundation
import Logging
import PostgresNIO

/// Reports, their assignment and resolution.
public struct PostgresReportRepository: ReportRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    static let reportColumns = """
        id, account_id, target_account_id, status_ids, comment, category, forwarded, uri, assigned_account_id, action_taken_at, \
        action_taken_by_account_id, created_at, updated_at
        """

    static func decodeReports(_ rows: PostgresRowSequence) async throws -> [Report] {
        var result: [Report] = []
        for try await row in rows {
            let (id, accountID, targetID, statusIDs, comment, category, forwarded, uri, assigned, takenAt) =
                try row.decode((Int64, Int64?, Int64, [Int64], String, String, Bool, String?, Int64?, Date?).self)
            let c = row.makeRandomAccess()
            result.append(
                Report(
                    id: id, accountID: accountID, targetAccountID: targetID, statusIDs: statusIDs, comment: comment,
                    category: ReportCategory(rawValue: category) ?? .other, forwarded: forwarded, uri: uri, assignedAccountID: assigned,
                    actionTakenAt: takenAt, actionTakenByAccountID: try c[10].decode(Int64?.self), createdAt: try c[11].decode(Date.self),
                    updatedAt: try c[12].decode(Date.self)))
        }
        return result
    }

    public func createReport(_ report: Report, publish: OutgoingActivity?) async throws -> Report {
        try await transaction { connection in
            let inserted = try await Self.decodeReports(
                try await connection.query(
                    """
                    INSERT INTO reports (account_id, target_account_id, status_ids, comment, category, forwarded, uri)
                    VALUES (\(report.accountID), \(report.targetAccountID), \(report.statusIDs), \(report.comment),
                        \(report.category.rawValue), \(report.forwarded), \(report.uri))
                    ON CONFLICT (uri) WHERE uri IS NOT NULL DO NOTHING
                    RETURNING \(unescaped: Self.reportColumns)
                    """, logger: logger))
            if let created = inserted.first {
                try await record(publish, on: connection)
                return created
            }
            let existing = try await Self.decodeReports(
                try await connection.query("SELECT \(unescaped: Self.reportColumns) FROM reports WHERE uri = \(report.uri)", logger: logger))
            guard let first = existing.first else { throw KithError(.conflict, "the report could not be stored") }
            return first
        }
    }

    public func report(id: Int64) async throws -> Report? {
        try await Self.decodeReports(try await client.query("SELECT \(unescaped: Self.reportColumns) FROM reports WHERE id = \(id)", logger: logger))
            .first
    }

    public func reports(resolved: Bool?, targetAccountID: Int64?, page: PageRequest) async throws -> [Report] {
        let ascending = page.minID != nil && page.sinceID == nil
        let rows = try await Self.decodeReports(
            try await client.query(
                """
                SELECT \(unescaped: Self.reportColumns) FROM reports
                WHERE (\(resolved)::boolean IS NULL OR (action_taken_at IS NOT NULL) = \(resolved))
                  AND (\(targetAccountID)::bigint IS NULL OR target_account_id = \(targetAccountID))
                  AND id < \(page.maxID ?? Int64.max) AND id > \(page.sinceID ?? page.minID ?? 0)
                ORDER BY CASE WHEN \(ascending) THEN id END ASC, id DESC
                LIMIT \(max(1, min(page.limit, 200)))
                """, logger: logger))
        return ascending ? rows.reversed() : rows
    }

    /// Runs `change` on a report in a transaction with its audit entry; nil when there is no such report.
    func changeReport(id: Int64, audit: AuditRecord, _ change: PostgresQuery) async throws -> Report? {
        try await transaction { connection in
            let rows = try await Self.decodeReports(try await connection.query(change, logger: logger))
            guard let report = rows.first else { return nil }
            try await self.record(audit, on: connection)
            return report
        }
    }

    public func assignReport(id: Int64, to accountID: Int64?, audit: AuditRecord) async throws -> Report? {
        try await changeReport(
            id: id, audit: audit,
            """
            UPDATE reports SET assigned_account_id = \(accountID), updated_at = now() WHERE id = \(id)
            RETURNING \(unescaped: Self.reportColumns)
            """)
    }

    public func resolveReport(id: Int64, by accountID: Int64?, audit: AuditRecord) async throws -> Report? {
        try await changeReport(
            id: id, audit: audit,
            """
            UPDATE reports SET action_taken_at = CASE WHEN \(accountID)::bigint IS NULL THEN NULL ELSE now() END,
                action_taken_by_account_id = \(accountID), updated_at = now()
            WHERE id = \(id)
            RETURNING \(unescaped: Self.reportColumns)
            """)
    }
}
