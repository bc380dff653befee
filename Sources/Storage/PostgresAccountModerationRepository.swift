import Domain
import Foundation
import Logging
import PostgresNIO

/// Moderators' actions on accounts (suspend, silence, disable, roles) and on posts.
public struct PostgresAccountModerationRepository: AccountModerationRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

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
            let rows = try await connection.query("SELECT \(unescaped: PostgresRemoteAccountRepository.accountColumns) FROM accounts WHERE id = \(accountID)", logger: logger)
            return try await PostgresAccountRepository.decode(rows).first
        }
    }

    public func setRole(accountID: Int64, role: Role, audit: AuditRecord) async throws -> Account? {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE accounts SET role = \(role.rawValue), updated_at = now() WHERE id = \(accountID) AND domain IS NULL
                RETURNING \(unescaped: PostgresRemoteAccountRepository.accountColumns)
                """, logger: logger)
            guard let account = try await PostgresAccountRepository.decode(rows).first else { return nil }
            try await self.record(audit, on: connection)
            return account
        }
    }

    public func adminAccounts(local: Bool?, status: String?, username: String?, page: PageRequest) async throws -> [Account] {
        let pattern = username.map { PostgresTimelineRepository.likePattern($0.lowercased()) + "%" }
        return try await accounts(
            """
            SELECT \(unescaped: PostgresRemoteAccountRepository.accountColumns) FROM accounts
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
