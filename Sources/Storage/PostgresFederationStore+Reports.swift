import Domain
import Foundation
import Logging
import PostgresNIO

extension PostgresFederationStore: ReportRepository {
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

extension PostgresFederationStore: AccountModerationRepository {
    public func moderate(accountID: Int64, action: AccountAction, reportID: Int64?, by moderatorID: Int64?, audit: AuditRecord) async throws -> Account? {
        let column: String?
        let set: Bool
        switch action {
        case .none: (column, set) = (nil, false)
        case .silence: (column, set) = ("silenced_at", true)
        case .unsilence: (column, set) = ("silenced_at", false)
        case .suspend: (column, set) = ("suspended_at", true)
        case .unsuspend: (column, set) = ("suspended_at", false)
        case .disable: (column, set) = ("disabled_at", true)
        case .enable: (column, set) = ("disabled_at", false)
        }
        return try await transaction { connection in
            if let column {
                // The column name comes from the switch above, never from input.
                var binds = PostgresBindings()
                binds.append(accountID)
                let value = set ? "coalesce(\(column), now())" : "NULL"
                try await connection.query(
                    PostgresQuery(unsafeSQL: "UPDATE accounts SET \(column) = \(value), updated_at = now() WHERE id = $1", binds: binds),
                    logger: logger)
            }
            if let reportID {
                try await connection.query(
                    """
                    UPDATE reports SET action_taken_at = now(), action_taken_by_account_id = \(moderatorID), updated_at = now()
                    WHERE id = \(reportID) AND action_taken_at IS NULL
                    """, logger: logger)
            }
            try await self.record(audit, on: connection)
            let rows = try await connection.query("SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE id = \(accountID)", logger: logger)
            return try await PostgresAccountRepository.decode(rows).first
        }
    }

    public func setRole(accountID: Int64, role: Role, audit: AuditRecord) async throws -> Account? {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE accounts SET role = \(role.rawValue), updated_at = now() WHERE id = \(accountID) AND domain IS NULL
                RETURNING \(unescaped: Self.accountColumns)
                """, logger: logger)
            guard let account = try await PostgresAccountRepository.decode(rows).first else { return nil }
            try await self.record(audit, on: connection)
            return account
        }
    }

    public func adminAccounts(local: Bool?, status: String?, username: String?, page: PageRequest) async throws -> [Account] {
        let pattern = username.map { Self.likePattern($0.lowercased()) + "%" }
        return try await accounts(
            """
            SELECT \(unescaped: Self.accountColumns) FROM accounts
            WHERE (\(local)::boolean IS NULL OR (domain IS NULL) = \(local))
              AND (\(status)::text IS NULL
                   OR (\(status) = 'active' AND suspended_at IS NULL AND disabled_at IS NULL)
                   OR (\(status) = 'suspended' AND suspended_at IS NOT NULL)
                   OR (\(status) = 'silenced' AND silenced_at IS NOT NULL)
                   OR (\(status) = 'disabled' AND disabled_at IS NOT NULL))
              AND (\(pattern)::text IS NULL OR lower(username) LIKE \(pattern))
              AND id < \(page.maxID ?? Int64.max) AND id > \(page.sinceID ?? page.minID ?? 0)
            ORDER BY id DESC LIMIT \(max(1, min(page.limit, 200)))
            """)
    }

    public func removeStatus(id: Int64, publish: OutgoingActivity?, audit: AuditRecord) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "INSERT INTO tombstones (uri) SELECT uri FROM statuses WHERE id = \(id) ON CONFLICT DO NOTHING RETURNING 1", logger: logger)
            var found = false
            for try await _ in rows { found = true }
            let deleted = try await connection.query("DELETE FROM statuses WHERE id = \(id) RETURNING id", logger: logger)
            for try await _ in deleted { found = true }
            guard found else { return false }
            try await record(publish, on: connection)
            try await self.record(audit, on: connection)
            return true
        }
    }
}
