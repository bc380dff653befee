import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// The admin API: Mastodon's `/api/v1/admin/domain_allows` and `/domain_blocks`, and Kith's
/// audit log at `/api/v1/kith/admin/audit`. Every change is audited with who made it and from
/// which address.
public struct AdminController: Sendable {
    let admin: AdminService
    /// The node's public URL, for paging links.
    let baseURL: String

    public init(admin: AdminService, baseURL: String) {
        self.admin = admin
        self.baseURL = baseURL
    }

    /// Admins only: the audit actor of the signed-in admin.
    func staff(_ request: Request, _ context: AppRequestContext, scope: String) throws -> AuditActor {
        try context.staff(request, scope: scope, adminOnly: true).1
    }

    static func id(_ context: AppRequestContext) throws -> Int64 { try MastodonAPI.pathID(context) }

    public func addRoutes(to router: Router<AppRequestContext>) {
        addDomainAllowRoutes(to: router)
        addDomainBlockRoutes(to: router)
        router.get("/api/v1/kith/admin/audit") { request, context in
            _ = try self.staff(request, context, scope: "admin:read")
            let parameters = try await RequestParameters.parse(request)
            func date(_ name: String) throws -> Date? {
                guard let raw = parameters[name], !raw.isEmpty else { return nil }
                guard let date = ASDate.parse(raw) else { throw KithError(.invalidInput, "\(name) must be an ISO 8601 time") }
                return date
            }
            var page = try MastodonAPI.page(request)
            page.limit = max(1, min(Int(parameters["limit"] ?? "") ?? 40, 200))
            let filter = AuditFilter(
                actorAccountID: try parameters["account_id"].map {
                    guard let id = Int64($0) else { throw KithError(.invalidInput, "account_id must be an id") }
                    return id
                },
                actorLabel: parameters["actor"], action: parameters["action"], since: try date("since"), until: try date("until"))
            let entries = try await self.admin.auditLog(filter, page: page)
            return MastodonAPI.respond(.array(entries.map(Self.entity)), headers: MastodonAPI.link(request, baseURL: self.baseURL, first: entries.first?.id, last: entries.last?.id))
        }
    }

    static func entity(_ entry: AuditEntry) -> JSONValue {
        let record = entry.record
        func document(_ text: String?) -> JSONValue { text.flatMap { try? JSONValue.parse(Array($0.utf8)) } ?? .null }
        return [
            "id": .string(String(entry.id)),
            "created_at": MastodonEntities.date(entry.createdAt),
            "action": .string(record.action),
            "actor": ["account_id": .optional(record.actor.accountID.map(String.init)), "label": .string(record.actor.label)],
            "ip": .optional(record.actor.address),
            "target_type": .string(record.targetType),
            "target_id": .string(record.targetID),
            "before": document(record.before),
            "after": document(record.after),
        ]
    }

    // MARK: Domain allows

    static func entity(_ allow: DomainAllow) -> JSONValue {
        ["id": .string(String(allow.id)), "domain": .string(allow.domain), "created_at": MastodonEntities.date(allow.createdAt)]
    }

    func addDomainAllowRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/admin/domain_allows") { request, context in
            _ = try self.staff(request, context, scope: "admin:read:domain_allows")
            return MastodonAPI.respond(.array(try await self.admin.allowedNodes().map(Self.entity)))
        }
        router.get("/api/v1/admin/domain_allows/:id") { request, context in
            _ = try self.staff(request, context, scope: "admin:read:domain_allows")
            let id = try Self.id(context)
            guard let allow = try await self.admin.allowedNodes().first(where: { $0.id == id }) else { throw KithError(.notFound, "Record not found") }
            return MastodonAPI.respond(Self.entity(allow))
        }
        router.post("/api/v1/admin/domain_allows") { request, context in
            let actor = try self.staff(request, context, scope: "admin:write:domain_allows")
            let parameters = try await RequestParameters.parse(request)
            guard let domain = parameters["domain"], !domain.isEmpty else { throw KithError(.unprocessable, "Validation failed: Domain can't be blank") }
            return MastodonAPI.respond(Self.entity(try await MastodonAPI.validated { try await self.admin.allow(domain, by: actor) }))
        }
        router.delete("/api/v1/admin/domain_allows/:id") { request, context in
            let actor = try self.staff(request, context, scope: "admin:write:domain_allows")
            _ = try await self.admin.removeAllow(id: try Self.id(context), by: actor)
            return MastodonAPI.respond([:])
        }
    }

    // MARK: Domain blocks

    static func entity(_ block: DomainBlock) -> JSONValue {
        [
            "id": .string(String(block.id)), "domain": .string(block.domain),
            "digest": .string(AdminService.digest(block.domain)),
            "created_at": MastodonEntities.date(block.createdAt), "severity": .string(block.severity.rawValue),
            "reject_media": .bool(block.rejectMedia), "reject_reports": .bool(block.rejectReports),
            "private_comment": .optional(block.privateComment), "public_comment": .optional(block.publicComment),
            "obfuscate": .bool(block.obfuscate),
        ]
    }

    /// A block from request parameters; `base` gives the values left unsaid (an update).
    func block(_ parameters: RequestParameters, base: DomainBlock) throws -> DomainBlock {
        var block = base
        if let raw = parameters["severity"], !raw.isEmpty {
            guard let severity = BlockSeverity(rawValue: raw) else {
                throw KithError(.unprocessable, "Validation failed: severity must be silence, suspend or noop")
            }
            block.severity = severity
        }
        block.rejectMedia = parameters.flag("reject_media") ?? block.rejectMedia
        block.rejectReports = parameters.flag("reject_reports") ?? block.rejectReports
        block.obfuscate = parameters.flag("obfuscate") ?? block.obfuscate
        if let comment = parameters["private_comment"] { block.privateComment = comment.isEmpty ? nil : comment }
        if let comment = parameters["public_comment"] { block.publicComment = comment.isEmpty ? nil : comment }
        return block
    }

    func addDomainBlockRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/admin/domain_blocks") { request, context in
            _ = try self.staff(request, context, scope: "admin:read:domain_blocks")
            return MastodonAPI.respond(.array(try await self.admin.blockedNodes().map(Self.entity)))
        }
        router.get("/api/v1/admin/domain_blocks/:id") { request, context in
            _ = try self.staff(request, context, scope: "admin:read:domain_blocks")
            let id = try Self.id(context)
            guard let block = try await self.admin.blockedNodes().first(where: { $0.id == id }) else { throw KithError(.notFound, "Record not found") }
            return MastodonAPI.respond(Self.entity(block))
        }
        router.post("/api/v1/admin/domain_blocks") { request, context in
            let actor = try self.staff(request, context, scope: "admin:write:domain_blocks")
            let parameters = try await RequestParameters.parse(request)
            guard let raw = parameters["domain"], !raw.isEmpty else { throw KithError(.unprocessable, "Validation failed: Domain can't be blank") }
            let domain = try await MastodonAPI.validated { try AdminService.domain(raw) }
            if let existing = try await self.admin.blockedNodes().first(where: { $0.domain == domain }) {
                // Mastodon: a second block of the same domain is refused, naming the first.
                var body = Self.entity(existing)
                body = ["error": "Validation failed: Domain is already blocked", "existing_domain_block": body]
                return DocumentResponse.json(body, contentType: MastodonAPI.json, status: .unprocessableContent)
            }
            // Mastodon's default severity is silence.
            let block = try self.block(parameters, base: DomainBlock(domain: domain, severity: .silence))
            return MastodonAPI.respond(Self.entity(try await MastodonAPI.validated { try await self.admin.block(block, by: actor) }))
        }
        router.put("/api/v1/admin/domain_blocks/:id") { request, context in
            let actor = try self.staff(request, context, scope: "admin:write:domain_blocks")
            let id = try Self.id(context)
            guard let existing = try await self.admin.blockedNodes().first(where: { $0.id == id }) else { throw KithError(.notFound, "Record not found") }
            let block = try self.block(try await RequestParameters.parse(request), base: existing)
            return MastodonAPI.respond(Self.entity(try await MastodonAPI.validated { try await self.admin.block(block, by: actor) }))
        }
        router.delete("/api/v1/admin/domain_blocks/:id") { request, context in
            let actor = try self.staff(request, context, scope: "admin:write:domain_blocks")
            _ = try await self.admin.removeBlock(id: try Self.id(context), by: actor)
            return MastodonAPI.respond([:])
        }
    }
}
