import Domain
import Foundation

/// Reports and what moderators do about them. Users report accounts and posts; a report about
/// another node's account can be sent on to that node as a Flag in this node's name. Staff
/// assign, resolve and reopen reports, act on accounts (silence, suspend, disable and their
/// reversals), remove posts and, for admins, change roles. Every staff action is audited in the
/// same transaction as its effect.
public struct ModerationService: Sendable {
    let reports: any ReportRepository
    let moderation: any AccountModerationRepository
    let accounts: any RemoteAccountRepository
    let statuses: any StatusRepository
    let notifier: (any DeliveryNotifier)?
    let baseURL: String

    public init(
        reports: any ReportRepository, moderation: any AccountModerationRepository, accounts: any RemoteAccountRepository,
        statuses: any StatusRepository, notifier: (any DeliveryNotifier)?, baseURL: String
    ) {
        self.reports = reports
        self.moderation = moderation
        self.accounts = accounts
        self.statuses = statuses
        self.notifier = notifier
        self.baseURL = baseURL
    }

    // MARK: Reporting

    /// Files a report by `reporter` about `targetAccountID` and some of its posts. With
    /// `forward`, a report about a remote account also goes to its node as a Flag.
    public func report(
        by reporter: Account, targetAccountID: Int64, statusIDs: [Int64], comment: String, category: ReportCategory, forward: Bool
    ) async throws -> Report {
        guard let target = try await accounts.account(id: targetAccountID) else { throw KithError(.notFound, "Record not found") }
        guard target.id != reporter.id else { throw KithError(.invalidInput, "you cannot report yourself") }
        guard comment.count <= 1000 else { throw KithError(.invalidInput, "the comment is longer than 1000 characters") }
        var reported: [Status] = []
        for id in Set(statusIDs) {
            guard let status = try await statuses.status(id: id), status.accountID == target.id else {
                throw KithError(.invalidInput, "status \(id) is not a post of the reported account")
            }
            reported.append(status)
        }
        reported.sort { $0.id < $1.id }
        let forwarded = forward && !target.isLocal
        var flag: OutgoingActivity?
        if forwarded {
            flag = OutgoingActivity(
                uri: "\(baseURL)/flags/\(try await statuses.nextID())", accountID: reporter.id, kind: .flag, objectURI: target.uri,
                targetAccountID: target.id, to: [target.uri])
            flag?.objectURIs = reported.map(\.uri)
            flag?.content = comment
        }
        let report = try await reports.createReport(
            Report(
                accountID: reporter.id, targetAccountID: target.id, statusIDs: reported.map(\.id), comment: comment, category: category,
                forwarded: forwarded),
            publish: flag)
        if flag != nil { await notifier?.activityRecorded() }
        return report
    }

    // MARK: Staff

    func existingReport(_ id: Int64) async throws -> Report {
        guard let report = try await reports.report(id: id) else { throw KithError(.notFound, "Record not found") }
        return report
    }

    /// Assigns the report to `assignee` (nil: unassigns).
    public func assign(reportID: Int64, to assignee: Account?, by actor: AuditActor) async throws -> Report {
        let before = try await existingReport(reportID)
        guard
            let report = try await reports.assignReport(
                id: reportID, to: assignee?.id,
                audit: AuditRecord(
                    actor: actor, action: assignee == nil ? "report.unassign" : "report.assign", targetType: "report", targetID: String(reportID),
                    before: AuditDocument.fields(["assigned_account_id": before.assignedAccountID.map(String.init)]),
                    after: AuditDocument.fields(["assigned_account_id": assignee.map { String($0.id) }])))
        else { throw KithError(.notFound, "Record not found") }
        return report
    }

    /// Marks the report resolved by `moderator`, or reopens it (nil).
    public func resolve(reportID: Int64, by moderator: Account?, actor: AuditActor) async throws -> Report {
        let before = try await existingReport(reportID)
        guard
            let report = try await reports.resolveReport(
                id: reportID, by: moderator?.id,
                audit: AuditRecord(
                    actor: actor, action: moderator == nil ? "report.reopen" : "report.resolve", targetType: "report", targetID: String(reportID),
                    before: AuditDocument.fields(["resolved": String(before.resolved)]), after: AuditDocument.fields(["resolved": String(moderator != nil)])))
        else { throw KithError(.notFound, "Record not found") }
        return report
    }

    /// Applies `action` to an account. Staff may not act on themselves or on the owner; only
    /// admins act on other staff.
    public func act(
        on accountID: Int64, _ action: AccountAction, reportID: Int64?, text: String?, by moderator: Account, actor: AuditActor
    ) async throws -> Account {
        guard let target = try await accounts.account(id: accountID) else { throw KithError(.notFound, "Record not found") }
        guard target.id != moderator.id else { throw KithError(.forbidden, "You cannot take action against yourself") }
        guard target.role != .owner, !target.role.isStaff || moderator.role.isAdmin else {
            throw KithError(.forbidden, "This action is not allowed against \(target.acct)")
        }
        if action == .disable || action == .enable, !target.isLocal {
            throw KithError(.invalidInput, "only local accounts can be disabled")
        }
        if let reportID { _ = try await existingReport(reportID) }
        func state(_ account: Account) -> [String: String?] {
            ["suspended": String(account.suspended), "silenced": String(account.silenced), "disabled": String(account.disabled)]
        }
        var after = state(target)
        switch action {
        case .none: break
        case .silence: after["silenced"] = "true"
        case .unsilence: after["silenced"] = "false"
        case .suspend: after["suspended"] = "true"
        case .unsuspend: after["suspended"] = "false"
        case .disable: after["disabled"] = "true"
        case .enable: after["disabled"] = "false"
        }
        if let text { after["text"] = String(text.prefix(1000)) }
        if let reportID { after["report_id"] = String(reportID) }
        guard
            let updated = try await moderation.moderate(
                accountID: target.id, action: action, reportID: reportID, by: moderator.id,
                audit: AuditRecord(
                    actor: actor, action: "account.\(action.rawValue)", targetType: "account", targetID: String(target.id),
                    before: AuditDocument.fields(state(target)), after: AuditDocument.fields(after)))
        else { throw KithError(.notFound, "Record not found") }
        return updated
    }

    /// Changes a local account's role. Only admins do; only the owner makes or unmakes admins;
    /// the owner's role does not change, and there is one owner.
    public func setRole(accountID: Int64, to role: Role, by admin: Account, actor: AuditActor) async throws -> Account {
        guard admin.role.isAdmin else { throw KithError(.forbidden, "This action is not allowed") }
        guard let target = try await accounts.account(id: accountID), target.isLocal else { throw KithError(.notFound, "Record not found") }
        guard target.role != .owner, role != .owner else { throw KithError(.forbidden, "The owner's role cannot be given or changed") }
        guard admin.role == .owner || (target.role != .admin && role != .admin) else {
            throw KithError(.forbidden, "Only the owner makes or unmakes admins")
        }
        guard
            let updated = try await moderation.setRole(
                accountID: target.id, role: role,
                audit: AuditRecord(
                    actor: actor, action: "account.change_role", targetType: "account", targetID: String(target.id),
                    before: AuditDocument.fields(["role": target.role.rawValue]), after: AuditDocument.fields(["role": role.rawValue])))
        else { throw KithError(.notFound, "Record not found") }
        return updated
    }

    /// Removes a post as moderation. A local post's removal is sent to its audience as Delete.
    public func removeStatus(_ statusID: Int64, actor: AuditActor) async throws {
        guard let status = try await statuses.status(id: statusID) else { throw KithError(.notFound, "Record not found") }
        var delete: OutgoingActivity?
        if status.local, status.reblogOfID == nil {
            delete = OutgoingActivity(
                uri: "\(status.uri)#delete", accountID: status.accountID, kind: .delete, objectURI: status.uri, to: status.to, cc: status.cc,
                deliver: !status.localOnly)
        }
        guard
            try await moderation.removeStatus(
                id: status.id, publish: delete,
                audit: AuditRecord(
                    actor: actor, action: "status.remove", targetType: "status", targetID: String(status.id),
                    before: AuditDocument.fields(["uri": status.uri, "account_id": String(status.accountID), "content": String(status.content.prefix(500))])))
        else { throw KithError(.notFound, "Record not found") }
        if delete != nil { await notifier?.activityRecorded() }
    }
}
