import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// Kith's group API (`/api/v1/kith/groups…`). Through the Mastodon API a group is an account
/// with `group: true`: members post to it by mentioning it, and read it in their home timeline.
public struct GroupsController: Sendable {
    let api: MastodonAPI
    let groups: GroupService
    let repository: any GroupRepository

    public init(api: MastodonAPI, groups: GroupService, repository: any GroupRepository) {
        self.api = api
        self.groups = groups
        self.repository = repository
    }

    static func id(_ context: AppRequestContext, _ name: String = "id") throws -> Int64 { try MastodonAPI.pathID(context, name) }

    func actor(_ account: Account, _ request: Request, _ context: AppRequestContext) -> AuditActor {
        context.auditActor(account, request)
    }

    func entity(_ group: Group, viewer: Account) async throws -> JSONValue {
        let role = try await repository.role(groupID: group.account.id, accountID: viewer.id)
        let pending = try await api.d.graph.findFollow(accountID: viewer.id, targetAccountID: group.account.id)?.state == .pending
        return [
            "id": .string(String(group.account.id)), "name": .string(group.account.username), "acct": .string(group.account.acct),
            "display_name": .string(group.account.displayName), "note": .string(group.account.note), "url": .optional(group.account.url),
            "uri": .string(group.account.uri), "privacy": .string(group.privacy.rawValue), "role": .optional(role?.rawValue),
            "requested": .bool(pending), "members_count": .number(Double(try await api.d.graph.followCounts(of: group.account.id).followers)),
            "created_at": MastodonEntities.date(group.createdAt),
        ]
    }

    static func privacy(_ raw: String?) throws -> GroupPrivacy? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let privacy = GroupPrivacy(rawValue: raw) else { throw KithError(.unprocessable, "Validation failed: privacy must be open, closed or secret") }
        return privacy
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/kith/groups") { request, context in
            let viewer = try context.user(scope: "write:accounts")
            let parameters = try await RequestParameters.parse(request)
            guard let name = parameters["name"], !name.isEmpty else { throw KithError(.unprocessable, "Validation failed: name is required") }
            let group = try await MastodonAPI.validated {
                try await self.groups.create(
                    by: viewer, name: name, displayName: parameters["display_name"] ?? "", note: parameters["note"] ?? "",
                    privacy: try Self.privacy(parameters["privacy"]) ?? .open, actor: self.actor(viewer, request, context))
            }
            return MastodonAPI.respond(try await self.entity(group, viewer: viewer))
        }
        router.get("/api/v1/kith/groups") { request, context in
            let viewer = try context.user(scope: "read:accounts")
            var entities: [JSONValue] = []
            for group in try await self.repository.groups(visibleTo: viewer.id, viewerURI: viewer.uri) {
                entities.append(try await self.entity(group, viewer: viewer))
            }
            return MastodonAPI.respond(.array(entities))
        }
        router.get("/api/v1/kith/groups/:id") { request, context in
            let viewer = try context.user(scope: "read:accounts")
            return MastodonAPI.respond(try await self.entity(try await self.groups.visibleGroup(try Self.id(context), to: viewer), viewer: viewer))
        }
        router.patch("/api/v1/kith/groups/:id") { request, context in
            let viewer = try context.user(scope: "write:accounts")
            let parameters = try await RequestParameters.parse(request)
            let group = try await MastodonAPI.validated {
                try await self.groups.update(
                    try Self.id(context), by: viewer, displayName: parameters["display_name"], note: parameters["note"],
                    privacy: try Self.privacy(parameters["privacy"]), actor: self.actor(viewer, request, context))
            }
            return MastodonAPI.respond(try await self.entity(group, viewer: viewer))
        }
        router.post("/api/v1/kith/groups/:id/join") { request, context in
            let viewer = try context.user(scope: "write:follows")
            // Joining is following the group: the same admission rules as a follow from any client.
            let group = try await self.groups.visibleGroup(try Self.id(context), to: viewer)
            _ = try await self.api.d.social.follow(accountID: viewer.id, group.account.uri)
            return MastodonAPI.respond(try await self.entity(group, viewer: viewer))
        }
        router.post("/api/v1/kith/groups/:id/leave") { request, context in
            let viewer = try context.user(scope: "write:follows")
            let id = try Self.id(context)
            try await MastodonAPI.validated { try await self.groups.leave(id, account: viewer) }
            return MastodonAPI.respond(try await self.entity(try await self.groups.visibleGroup(id, to: viewer), viewer: viewer))
        }
        router.get("/api/v1/kith/groups/:id/members") { request, context in
            let viewer = try context.user(scope: "read:accounts")
            let group = try await self.groups.visibleGroup(try Self.id(context), to: viewer)
            if group.privacy != .open, try await self.repository.role(groupID: group.account.id, accountID: viewer.id) == nil {
                throw KithError(.forbidden, "Only members see who is in this group")
            }
            let members = try await self.repository.members(groupID: group.account.id, page: try MastodonAPI.page(request))
            var entities: [JSONValue] = []
            for member in members {
                entities.append(["role": .string(member.role.rawValue), "account": JSONValue(try await self.api.accountEntity(member.account, viewer: viewer))])
            }
            return MastodonAPI.respond(.array(entities), headers: self.api.link(request, first: members.first?.entryID, last: members.last?.entryID))
        }
        addModerationRoutes(to: router)
    }

    func addModerationRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/kith/groups/:id/requests") { request, context in
            let viewer = try context.user(scope: "read:follows")
            let group = try await self.groups.visibleGroup(try Self.id(context), to: viewer)
            guard try await self.repository.role(groupID: group.account.id, accountID: viewer.id)?.canModerate == true else {
                throw KithError(.forbidden, "Only the group's moderators may do this")
            }
            let page = try MastodonAPI.page(request)
            let entries = try await self.api.d.graph.followers(of: group.account.id, state: .pending, limit: page.limit, maxID: page.maxID)
            var accounts: [MastodonAccount] = []
            for entry in entries { accounts.append(try await self.api.accountEntity(entry.account, viewer: viewer)) }
            return MastodonAPI.respond(accounts, headers: self.api.link(request, first: entries.first?.followID, last: entries.last?.followID))
        }
        router.post("/api/v1/kith/groups/:id/requests/:account_id/authorize") { request, context in
            try await self.decideRequest(approve: true, request, context)
        }
        router.post("/api/v1/kith/groups/:id/requests/:account_id/reject") { request, context in
            try await self.decideRequest(approve: false, request, context)
        }
        router.post("/api/v1/kith/groups/:id/invitations") { request, context in
            let viewer = try context.user(scope: "write:follows")
            let parameters = try await RequestParameters.parse(request)
            guard let reference = parameters["account_id"] ?? parameters["account"], !reference.isEmpty else {
                throw KithError(.unprocessable, "Validation failed: account_id or account (user@domain or URL) is required")
            }
            let invitee = try await self.groups.invite(try Self.id(context), reference: reference, by: viewer, actor: self.actor(viewer, request, context))
            return MastodonAPI.respond(try await self.api.accountEntity(invitee, viewer: viewer))
        }
        router.delete("/api/v1/kith/groups/:id/members/:account_id") { request, context in
            let viewer = try context.user(scope: "write:follows")
            try await self.groups.remove(
                try Self.id(context), accountID: try Self.id(context, "account_id"), by: viewer, actor: self.actor(viewer, request, context), request: false)
            return MastodonAPI.respond([:])
        }
        router.post("/api/v1/kith/groups/:id/members/:account_id/role") { request, context in
            let viewer = try context.user(scope: "write:accounts")
            guard let role = GroupRole(rawValue: try await RequestParameters.parse(request)["role"] ?? "") else {
                throw KithError(.unprocessable, "Validation failed: role must be moderator or member")
            }
            try await MastodonAPI.validated {
                try await self.groups.setRole(
                    try Self.id(context), accountID: try Self.id(context, "account_id"), role: role, by: viewer, actor: self.actor(viewer, request, context))
            }
            return MastodonAPI.respond([:])
        }
        router.delete("/api/v1/kith/groups/:id/statuses/:status_id") { request, context in
            let viewer = try context.user(scope: "write:statuses")
            try await self.groups.removePost(
                try Self.id(context), statusID: try Self.id(context, "status_id"), by: viewer, actor: self.actor(viewer, request, context))
            return MastodonAPI.respond([:])
        }
        router.post("/api/v1/kith/groups/:id/statuses/:status_id/pin") { request, context in try await self.pin(true, request, context) }
        router.post("/api/v1/kith/groups/:id/statuses/:status_id/unpin") { request, context in try await self.pin(false, request, context) }
    }

    /// A moderator lets an applicant in, or turns them away.
    func decideRequest(approve: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.user(scope: "write:follows")
        let id = try Self.id(context)
        let accountID = try Self.id(context, "account_id")
        if approve {
            try await groups.approve(id, accountID: accountID, by: viewer, actor: actor(viewer, request, context))
        } else {
            try await groups.remove(id, accountID: accountID, by: viewer, actor: actor(viewer, request, context), request: true)
        }
        return MastodonAPI.respond([:])
    }

    /// A moderator pins a post to the group, or unpins it.
    func pin(_ pinned: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.user(scope: "write:accounts")
        try await groups.pin(
            try Self.id(context), statusID: try Self.id(context, "status_id"), by: viewer, actor: actor(viewer, request, context), pinned: pinned)
        return MastodonAPI.respond([:])
    }
}
