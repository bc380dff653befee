import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// Reports (`POST /api/v1/reports`) and the moderation part of the admin API, in Mastodon's
/// shapes: `/api/v1/admin/reports`, `/api/v1/admin/accounts` (moderators and admins), plus
/// Kith's `/api/v1/kith/admin/accounts/:id/role` (admins) and `/api/v1/kith/admin/statuses/:id`.
public struct ModerationController: Sendable {
    let api: MastodonAPI
    let moderation: ModerationService
    let reports: any ReportRepository
    let accounts: any AccountModerationRepository

    public init(api: MastodonAPI, moderation: ModerationService, reports: any ReportRepository, accounts: any AccountModerationRepository) {
        self.api = api
        self.moderation = moderation
        self.reports = reports
        self.accounts = accounts
    }

    /// The signed-in staff member (moderator or more; admin or more with `adminOnly`) and how
    /// the audit log names them.
    func staff(_ request: Request, _ context: AppRequestContext, scope: String, adminOnly: Bool = false) throws -> (Account, AuditActor) {
        try context.staff(request, scope: scope, adminOnly: adminOnly)
    }

    static func id(_ context: AppRequestContext) throws -> Int64 { try MastodonAPI.pathID(context) }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/reports") { request, context in
            let reporter = try context.user(scope: "write:reports")
            let parameters = try await RequestParameters.parse(request)
            guard let target = parameters["account_id"].flatMap(Int64.init) else {
                throw KithError(.unprocessable, "Validation failed: account_id is required")
            }
            var category = ReportCategory.other
            if let raw = parameters["category"], !raw.isEmpty {
                guard let parsed = ReportCategory(rawValue: raw) else {
                    throw KithError(.unprocessable, "Validation failed: category must be spam, legal, violation or other")
                }
                category = parsed
            }
            let statusIDs = try parameters.list("status_ids").map { raw -> Int64 in
                guard let id = Int64(raw) else { throw KithError(.unprocessable, "Validation failed: status_ids must be ids") }
                return id
            }
            let report = try await MastodonAPI.validated {
                try await self.moderation.report(
                    by: reporter, targetAccountID: target, statusIDs: statusIDs, comment: parameters["comment"] ?? "", category: category,
                    forward: parameters.flag("forward") ?? false)
            }
            return MastodonAPI.respond(try await self.reportEntity(report, viewer: reporter))
        }
        addReportRoutes(to: router)
        addAccountRoutes(to: router)
    }

    // MARK: Entities

    func reportEntity(_ report: Report, viewer: Account) async throws -> JSONValue {
        guard let target = try await api.d.accounts.account(id: report.targetAccountID) else { throw KithError(.notFound, "Record not found") }
        return [
            "id": .string(String(report.id)), "action_taken": .bool(report.resolved),
            "action_taken_at": report.actionTakenAt.map(MastodonEntities.date) ?? .null, "category": .string(report.category.rawValue),
            "comment": .string(report.comment), "forwarded": .bool(report.forwarded), "created_at": MastodonEntities.date(report.createdAt),
            "status_ids": .array(report.statusIDs.map { .string(String($0)) }), "rule_ids": [],
            "target_account": JSONValue(try await api.accountEntity(target, viewer: viewer)),
        ]
    }

    /// Mastodon's Admin::Account.
    func adminAccountEntity(_ account: Account, viewer: Account) async throws -> JSONValue {
        [
            "id": .string(String(account.id)), "username": .string(account.username), "domain": .optional(account.domain),
            "created_at": MastodonEntities.date(account.createdAt), "email": .optional(account.email), "ip": .null, "ips": [],
            "locale": "", "invite_request": .null,
            "role": [
                "id": .string(String(Role.allCases.firstIndex(of: account.role) ?? 0)), "name": .string(account.role.rawValue.capitalized),
                "permissions": .string(account.role == .user ? "0" : "1"), "color": "", "highlighted": .bool(account.role != .user),
            ],
            "confirmed": true, "approved": true, "disabled": .bool(account.disabled), "silenced": .bool(account.silenced),
            "suspended": .bool(account.suspended), "sensitized": false,
            "account": JSONValue(try await api.accountEntity(account, viewer: viewer)),
        ]
    }

    func adminAccountEntity(id: Int64?, viewer: Account) async throws -> JSONValue {
        guard let id, let account = try await api.d.accounts.account(id: id) else { return .null }
        return try await adminAccountEntity(account, viewer: viewer)
    }

    /// Mastodon's Admin::Report.
    func adminReportEntity(_ report: Report, viewer: Account) async throws -> JSONValue {
        var statuses: [Status] = []
        for id in report.statusIDs {
            if let status = try await api.d.statuses.status(id: id) { statuses.append(status) }
        }
        return [
            "id": .string(String(report.id)), "action_taken": .bool(report.resolved),
            "action_taken_at": report.actionTakenAt.map(MastodonEntities.date) ?? .null, "category": .string(report.category.rawValue),
            "comment": .string(report.comment), "forwarded": .bool(report.forwarded), "created_at": MastodonEntities.date(report.createdAt),
            "updated_at": MastodonEntities.date(report.updatedAt),
            "account": try await adminAccountEntity(id: report.accountID, viewer: viewer),
            "target_account": try await adminAccountEntity(id: report.targetAccountID, viewer: viewer),
            "assigned_account": try await adminAccountEntity(id: report.assignedAccountID, viewer: viewer),
            "action_taken_by_account": try await adminAccountEntity(id: report.actionTakenByAccountID, viewer: viewer),
            "statuses": JSONValue(try await api.statusEntities(statuses, viewer: viewer)), "rules": [],
        ]
    }

    // MARK: Reports

    func addReportRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/admin/reports") { request, context in
            let (viewer, _) = try self.staff(request, context, scope: "admin:read:reports")
            let parameters = try await RequestParameters.parse(request)
            let page = try MastodonAPI.page(request)
            let found = try await self.reports.reports(
                resolved: parameters.flag("resolved") ?? false, targetAccountID: parameters["target_account_id"].flatMap(Int64.init), page: page)
            var entities: [JSONValue] = []
            for report in found { entities.append(try await self.adminReportEntity(report, viewer: viewer)) }
            return MastodonAPI.respond(.array(entities), headers: self.api.link(request, first: found.first?.id, last: found.last?.id))
        }
        router.get("/api/v1/admin/reports/:id") { request, context in
            let (viewer, _) = try self.staff(request, context, scope: "admin:read:reports")
            guard let report = try await self.reports.report(id: try Self.id(context)) else { throw KithError(.notFound, "Record not found") }
            return MastodonAPI.respond(try await self.adminReportEntity(report, viewer: viewer))
        }
        router.post("/api/v1/admin/reports/:id/assign_to_self") { request, context in try await self.reportAction(.assignToSelf, request, context) }
        router.post("/api/v1/admin/reports/:id/unassign") { request, context in try await self.reportAction(.unassign, request, context) }
        router.post("/api/v1/admin/reports/:id/resolve") { request, context in try await self.reportAction(.resolve, request, context) }
        router.post("/api/v1/admin/reports/:id/reopen") { request, context in try await self.reportAction(.reopen, request, context) }
    }

    /// What a moderator does to a report through `/api/v1/admin/reports/:id/<action>`.
    enum ReportAction {
        case assignToSelf, unassign, resolve, reopen
    }

    /// Assign a report to oneself or unassign it, resolve it or reopen it; answers the report.
    func reportAction(_ action: ReportAction, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (viewer, actor) = try staff(request, context, scope: "admin:write:reports")
        let id = try Self.id(context)
        let report: Report
        switch action {
        case .assignToSelf: report = try await moderation.assign(reportID: id, to: viewer, by: actor)
        case .unassign: report = try await moderation.assign(reportID: id, to: nil, by: actor)
        case .resolve: report = try await moderation.resolve(reportID: id, by: viewer, actor: actor)
        case .reopen: report = try await moderation.resolve(reportID: id, by: nil, actor: actor)
        }
        return MastodonAPI.respond(try await adminReportEntity(report, viewer: viewer))
    }

    // MARK: Accounts

    func addAccountRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/admin/accounts") { request, context in
            let (viewer, _) = try self.staff(request, context, scope: "admin:read:accounts")
            let parameters = try await RequestParameters.parse(request)
            let local: Bool? = parameters.flag("local") == true ? true : (parameters.flag("remote") == true ? false : nil)
            let status = ["active", "suspended", "silenced", "disabled"].first { parameters.flag($0) == true }
            let found = try await self.accounts.adminAccounts(
                local: local, status: status, username: parameters["username"], page: try MastodonAPI.page(request))
            var entities: [JSONValue] = []
            for account in found { entities.append(try await self.adminAccountEntity(account, viewer: viewer)) }
            return MastodonAPI.respond(.array(entities), headers: self.api.link(request, first: found.first?.id, last: found.last?.id))
        }
        router.get("/api/v1/admin/accounts/:id") { request, context in
            let (viewer, _) = try self.staff(request, context, scope: "admin:read:accounts")
            let entity = try await self.adminAccountEntity(id: try Self.id(context), viewer: viewer)
            guard entity != .null else { throw KithError(.notFound, "Record not found") }
            return MastodonAPI.respond(entity)
        }
        router.post("/api/v1/admin/accounts/:id/action") { request, context in
            let (viewer, actor) = try self.staff(request, context, scope: "admin:write:accounts")
            let parameters = try await RequestParameters.parse(request)
            guard let action = AccountAction(rawValue: parameters["type"] ?? ""), [.none, .disable, .silence, .suspend].contains(action) else {
                throw KithError(.unprocessable, "Validation failed: type must be none, disable, silence or suspend")
            }
            _ = try await MastodonAPI.validated {
                try await self.moderation.act(
                    on: try Self.id(context), action, reportID: parameters["report_id"].flatMap(Int64.init), text: parameters["text"],
                    by: viewer, actor: actor)
            }
            return MastodonAPI.respond([:])
        }
        router.post("/api/v1/admin/accounts/:id/enable") { request, context in try await self.lift(.enable, request, context) }
        router.post("/api/v1/admin/accounts/:id/unsilence") { request, context in try await self.lift(.unsilence, request, context) }
        router.post("/api/v1/admin/accounts/:id/unsuspend") { request, context in try await self.lift(.unsuspend, request, context) }
        router.post("/api/v1/kith/admin/accounts/:id/role") { request, context in
            let (viewer, actor) = try self.staff(request, context, scope: "admin:write:accounts", adminOnly: true)
            let parameters = try await RequestParameters.parse(request)
            guard let role = Role(rawValue: parameters["role"] ?? "") else {
                throw KithError(.unprocessable, "Validation failed: role must be user, moderator or admin")
            }
            let account = try await self.moderation.setRole(accountID: try Self.id(context), to: role, by: viewer, actor: actor)
            return MastodonAPI.respond(try await self.adminAccountEntity(account, viewer: viewer))
        }
        router.delete("/api/v1/kith/admin/statuses/:id") { request, context in
            let (_, actor) = try self.staff(request, context, scope: "admin:write:reports")
            try await self.moderation.removeStatus(try Self.id(context), actor: actor)
            return MastodonAPI.respond([:])
        }
    }

    /// Lift a disable, a silence or a suspension; answers the account.
    func lift(_ action: AccountAction, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (viewer, actor) = try staff(request, context, scope: "admin:write:accounts")
        let account = try await MastodonAPI.validated {
            try await moderation.act(on: try Self.id(context), action, reportID: nil, text: nil, by: viewer, actor: actor)
        }
        return MastodonAPI.respond(try await adminAccountEntity(account, viewer: viewer))
    }
}
