import Domain
import Foundation
import Logging
import PostgresNIO

/// Groups, their members, roles and invitations.
public struct PostgresGroupRepository: GroupRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    func groupRows(_ query: PostgresQuery) async throws -> [Group] {
        var result: [Group] = []
        for try await row in try await client.query(query, logger: logger) {
            let account = try PostgresAccountRepository.decode(row)
            let c = row.makeRandomAccess()
            let count = PostgresAccountRepository.columnCount
            result.append(
                Group(
                    account: account, privacy: GroupPrivacy(rawValue: try c[count].decode(String.self)) ?? .secret,
                    createdAt: try c[count + 1].decode(Date.self)))
        }
        return result
    }

    public func createGroup(_ new: NewGroup, ownerID: Int64, audit: AuditRecord) async throws -> Group {
        let uri = "\(new.baseURL)/users/\(new.name.value)"
        let groupID: Int64
        do {
            groupID = try await insertGroup(new, uri: uri, ownerID: ownerID, audit: audit)
        } catch let error where PostgresErrorText.isUniqueViolation(error) {
            throw KithError(.conflict, "the name '\(new.name.value)' is already taken")
        }
        guard let group = try await group(accountID: groupID) else { throw KithError(.internalError, "the group was not stored") }
        return group
    }

    func insertGroup(_ new: NewGroup, uri: String, ownerID: Int64, audit: AuditRecord) async throws -> Int64 {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO accounts (username, domain, display_name, note, actor_type, uri, url, inbox_uri, shared_inbox_uri, outbox_uri,
                    followers_uri, following_uri, featured_uri, public_key_id, public_key_pem, private_key_pem, locked, discoverable)
                VALUES (\(new.name.value), NULL, \(new.displayName), \(new.note), 'Group', \(uri), \(new.baseURL + "/@" + new.name.value),
                    \(uri + "/inbox"), \(new.baseURL + "/inbox"), \(uri + "/outbox"), \(uri + "/followers"), \(uri + "/following"),
                    \(uri + "/collections/featured"), \(uri + "#main-key"), \(new.publicKeyPEM), \(new.privateKeyPEM),
                    \(new.privacy != .open), \(new.privacy != .secret))
                RETURNING id
                """, logger: logger)
            var id: Int64?
            for try await value in rows.decode(Int64.self) { id = value }
            guard let id else { throw KithError(.internalError, "the group was not stored") }
            try await connection.query(
                "INSERT INTO groups (account_id, privacy, created_by_account_id) VALUES (\(id), \(new.privacy.rawValue), \(ownerID))", logger: logger)
            try await connection.query(
                "INSERT INTO group_roles (group_account_id, account_id, role) VALUES (\(id), \(ownerID), 'owner')", logger: logger)
            try await connection.query(
                "INSERT INTO follows (account_id, target_account_id, state) VALUES (\(ownerID), \(id), 'accepted')", logger: logger)
            var record = audit
            record.targetID = String(id)
            try await self.record(record, on: connection)
            return id
        }
    }

    static var groupSelect: String {
        "SELECT \(PostgresRemoteAccountRepository.joinedAccountColumns), g.privacy, g.created_at FROM groups g JOIN accounts a ON a.id = g.account_id"
    }

    public func group(accountID: Int64) async throws -> Group? {
        try await groupRows("\(unescaped: Self.groupSelect) WHERE g.account_id = \(accountID)").first
    }

    public func groups(visibleTo viewerID: Int64?, viewerURI: String?) async throws -> [Group] {
        try await groupRows(
            """
            \(unescaped: Self.groupSelect)
            WHERE g.privacy <> 'secret'
               OR EXISTS (SELECT 1 FROM follows f WHERE f.target_account_id = g.account_id AND f.account_id = \(viewerID ?? -1)
                          AND f.state = 'accepted')
               OR EXISTS (SELECT 1 FROM group_invitations i WHERE i.group_account_id = g.account_id AND i.account_uri = \(viewerURI ?? ""))
            ORDER BY lower(a.username)
            """)
    }

    public func role(groupID: Int64, accountID: Int64) async throws -> GroupRole? {
        let rows = try await client.query(
            """
            WITH member AS (
                SELECT EXISTS (SELECT 1 FROM follows WHERE target_account_id = \(groupID) AND account_id = \(accountID) AND state = 'accepted') AS yes)
            SELECT coalesce(
                (SELECT r.role FROM group_roles r, member
                 WHERE r.group_account_id = \(groupID) AND r.account_id = \(accountID) AND (r.role = 'owner' OR member.yes)),
                (SELECT 'member' FROM member WHERE member.yes))
            """, logger: logger)
        for try await role in rows.decode(String?.self) { return role.flatMap(GroupRole.init(rawValue:)) }
        return nil
    }

    public func setRole(groupID: Int64, accountID: Int64, role: GroupRole, audit: AuditRecord) async throws {
        try await transaction { connection in
            if role == .member {
                try await connection.query(
                    "DELETE FROM group_roles WHERE group_account_id = \(groupID) AND account_id = \(accountID)", logger: logger)
            } else {
                try await connection.query(
                    """
                    INSERT INTO group_roles (group_account_id, account_id, role) VALUES (\(groupID), \(accountID), \(role.rawValue))
                    ON CONFLICT (group_account_id, account_id) DO UPDATE SET role = excluded.role
                    """, logger: logger)
            }
            try await self.record(audit, on: connection)
        }
    }

    public func updateGroup(
        groupID: Int64, displayName: String?, note: String?, privacy: GroupPrivacy?, publish: OutgoingActivity, audit: AuditRecord
    ) async throws -> Group {
        try await transaction { connection in
            try await connection.query(
                """
                UPDATE accounts SET display_name = coalesce(\(displayName), display_name), note = coalesce(\(note), note),
                    locked = coalesce(\(privacy.map { $0 != .open }), locked), discoverable = coalesce(\(privacy.map { $0 != .secret }), discoverable),
                    updated_at = now()
                WHERE id = \(groupID)
                """, logger: logger)
            try await connection.query(
                "UPDATE groups SET privacy = coalesce(\(privacy?.rawValue), privacy) WHERE account_id = \(groupID)", logger: logger)
            try await self.record(publish, on: connection)
            try await self.record(audit, on: connection)
        }
        guard let group = try await group(accountID: groupID) else { throw KithError(.notFound, "Record not found") }
        return group
    }

    public func invite(groupID: Int64, accountURI: String, by inviterID: Int64, audit: AuditRecord) async throws {
        try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO group_invitations (group_account_id, account_uri, invited_by_account_id) VALUES (\(groupID), \(accountURI), \(inviterID))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            try await self.record(audit, on: connection)
        }
    }

    public func isInvited(groupID: Int64, accountURI: String) async throws -> Bool {
        let rows = try await client.query(
            "SELECT 1 FROM group_invitations WHERE group_account_id = \(groupID) AND account_uri = \(accountURI)", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    public func members(groupID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account, role: GroupRole)] {
        var result: [(entryID: Int64, account: Account, role: GroupRole)] = []
        let rows = try await client.query(
            """
            SELECT \(unescaped: PostgresRemoteAccountRepository.joinedAccountColumns), f.id, coalesce(r.role, 'member')
            FROM follows f JOIN accounts a ON a.id = f.account_id
            LEFT JOIN group_roles r ON r.group_account_id = f.target_account_id AND r.account_id = f.account_id
            WHERE f.target_account_id = \(groupID) AND f.state = 'accepted' AND f.id < \(page.maxID ?? Int64.max)
            ORDER BY f.id DESC LIMIT \(max(1, min(page.limit, 80)))
            """, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            let count = PostgresAccountRepository.columnCount
            result.append(
                (try c[count].decode(Int64.self), try PostgresAccountRepository.decode(row),
                    GroupRole(rawValue: try c[count + 1].decode(String.self)) ?? .member))
        }
        return result
    }

    public func mayRead(groupID: Int64, signer: Account) async throws -> Bool {
        let nodeWide = signer.actorType == "Application" && signer.domain != nil
        let rows = try await client.query(
            """
            SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id
            WHERE f.target_account_id = \(groupID) AND f.state = 'accepted'
              AND (a.id = \(signer.id) OR (\(nodeWide) AND lower(a.domain) = lower(\(signer.domain ?? ""))))
            LIMIT 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    public func approveMember(groupID: Int64, accountID: Int64, publish: OutgoingActivity?, audit: AuditRecord) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE follows SET state = 'accepted', updated_at = now()
                WHERE account_id = \(accountID) AND target_account_id = \(groupID) AND state = 'pending' RETURNING uri
                """, logger: logger)
            var followURI: String??
            for try await uri in rows.decode(String?.self) { followURI = .some(uri) }
            guard let followURI else { return false }
            var activity = publish
            if activity?.relatedURI == nil { activity?.relatedURI = followURI }
            try await self.record(activity, on: connection)
            try await self.record(audit, on: connection)
            return true
        }
    }

    public func removeMember(groupID: Int64, accountID: Int64, publish: OutgoingActivity?, audit: AuditRecord?) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM follows WHERE account_id = \(accountID) AND target_account_id = \(groupID) RETURNING uri", logger: logger)
            var removedURI: String??
            for try await uri in rows.decode(String?.self) { removedURI = .some(uri) }
            guard let removedURI else { return false }
            try await connection.query(
                "DELETE FROM group_roles WHERE group_account_id = \(groupID) AND account_id = \(accountID)", logger: logger)
            try await connection.query(
                """
                DELETE FROM group_invitations WHERE group_account_id = \(groupID)
                    AND account_uri = (SELECT uri FROM accounts WHERE id = \(accountID))
                """, logger: logger)
            var activity = publish
            if activity?.relatedURI == nil { activity?.relatedURI = removedURI }  // the Reject names the Follow
            try await self.record(activity, on: connection)
            if let audit { try await self.record(audit, on: connection) }
            return true
        }
    }

    public func removeFromGroup(groupID: Int64, statusID: Int64, publish: OutgoingActivity?, audit: AuditRecord) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM statuses WHERE account_id = \(groupID) AND reblog_of_id = \(statusID) RETURNING uri", logger: logger)
            var removed: String?
            for try await uri in rows.decode(String.self) { removed = uri }
            guard let removed else { return false }
            var activity = publish
            if activity?.relatedURI == nil { activity?.relatedURI = removed }
            try await self.record(activity, on: connection)
            try await self.record(audit, on: connection)
            return true
        }
    }
}
